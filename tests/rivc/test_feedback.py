from rivc.config import FeedbackConfig
from rivc.cycle import feedback_alpha


def test_alpha_rises_with_disagreement_and_returns_to_base():
    fb = FeedbackConfig(enabled=True, target_disagreement=0.01, alpha_step=0.05, alpha_max=0.95)
    alpha = 0.8
    trajectory = []
    for agreement in (0.90, 0.90, 0.90, 0.90, 0.995, 0.999, 1.0, 1.0, 1.0):
        alpha = feedback_alpha(alpha, agreement, 0.8, fb)
        trajectory.append(round(alpha, 3))
    assert trajectory == [0.85, 0.9, 0.95, 0.95, 0.95, 0.9, 0.85, 0.8, 0.8]


def test_feedback_switched_off_keeps_alpha():
    fb = FeedbackConfig(enabled=False)
    assert feedback_alpha(0.5, 0.0, 0.5, fb) == 0.5
