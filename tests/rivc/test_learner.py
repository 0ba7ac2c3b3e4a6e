import math

import torch
from torch import nn

from rivc.learner import TargetSync, cvi_target, soft_max_operator, update
from rivc.qnet import QuantQNetwork
from rivc.replay import Batch


class Table(nn.Module):
    """Q(s, .) read from a fixed table; s is an index stored in obs[:, 0]."""

    def __init__(self, q):
        super().__init__()
        self.q = nn.Parameter(torch.tensor(q, dtype=torch.float32))

    def forward(self, obs):
        return self.q[obs[:, 0].long()]


def batch():
    return Batch(obs=torch.tensor([[0.0], [1.0]]), actions=torch.tensor([1, 0]), rewards=torch.tensor([1.0, 0.5]),
                 next_obs=torch.tensor([[1.0], [0.0]]), terminated=torch.tensor([0.0, 1.0]))


def test_alpha_zero_beta_inf_is_the_dqn_target():
    net = Table([[1.0, 3.0], [2.0, -1.0]])
    y = cvi_target(net, batch(), gamma=0.9, alpha=0.0, beta=None)
    assert torch.allclose(y, torch.tensor([1.0 + 0.9 * 2.0, 0.5]))


def test_gap_increasing_term():
    net = Table([[1.0, 3.0], [2.0, -1.0]])
    y = cvi_target(net, batch(), gamma=0.9, alpha=0.5, beta=None)
    # state 0, action 1 is greedy: no penalty; state 1, action 0 is greedy too.
    assert torch.allclose(y, torch.tensor([1.0 + 0.9 * 2.0, 0.5]))
    b = batch()._replace(actions=torch.tensor([0, 1]))
    y = cvi_target(net, b, gamma=0.9, alpha=0.5, beta=None)
    assert torch.allclose(y, torch.tensor([1.0 + 0.9 * 2.0 + 0.5 * (1.0 - 3.0), 0.5 + 0.5 * (-1.0 - 2.0)]))


def test_soft_max_operator_is_log_mean_exp_and_tends_to_max():
    q = torch.tensor([[1.0, 2.0, 4.0]])
    beta = 0.7
    want = math.log((math.exp(0.7) + math.exp(1.4) + math.exp(2.8)) / 3) / beta
    assert abs(soft_max_operator(q, beta).item() - want) < 1e-5
    assert abs(soft_max_operator(q, 1e4).item() - 4.0) < 1e-3


def test_update_moves_q_towards_target():
    net, target = Table([[0.0, 0.0], [0.0, 0.0]]), Table([[0.0, 0.0], [0.0, 0.0]])
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    for _ in range(50):
        update(net, target, opt, batch(), gamma=0.9, alpha=0.0, beta=None, max_grad_norm=10.0)
    assert abs(net.q[0, 1].item() - 1.0) < 0.05 and abs(net.q[1, 0].item() - 0.5) < 0.05


def test_double_selection_values_the_online_argmax_with_the_target():
    """Sample 0 bootstraps from s' = 1: the target's max there is 2.0 (action 0) but the online
    network prefers action 1, which the target values at -1.0."""
    target = Table([[1.0, 3.0], [2.0, -1.0]])
    online = Table([[0.0, 0.0], [0.0, 5.0]])
    y = cvi_target(target, batch(), gamma=0.9, alpha=0.0, beta=None, online_net=online)
    assert torch.allclose(y, torch.tensor([1.0 + 0.9 * -1.0, 0.5]))


def test_straight_through_count_is_the_straight_through_expression_bit_for_bit():
    """One autograd node gives what h_s + (value - h_s).detach(), h_s = min(relu(z), clip), gives:
    the same values and the same gradients to z and clip, ties (z = clip) and z = 0 included."""
    from torch.nn import functional as F
    from rivc.qnet import straight_through_count

    torch.manual_seed(0)
    z0 = torch.randn(64, 32)
    z0[0, :4] = torch.tensor([0.75, 0.0, -0.0, 0.75])          # ties with the clip and relu's kink
    value = torch.rand(64, 32)
    upstream = torch.randn(64, 32)
    results = []
    for fused in (False, True):
        z, clip = z0.clone().requires_grad_(), torch.tensor(0.75, requires_grad=True)
        if fused:
            h = straight_through_count(z, clip, value)
        else:
            h_s = torch.minimum(F.relu(z), clip)
            h = h_s + (value - h_s).detach()
        (h * upstream).sum().backward()
        results.append((h.detach(), z.grad, clip.grad))
    for got, want in zip(results[1], results[0]):
        assert torch.equal(got, want)


def test_a_leaky_straight_through_count_moves_silent_and_saturated_units():
    """With leak > 0 the value is unchanged, units inside (0, clip) get the full gradient and
    silent (z <= 0) or saturated (z > clip) ones leak * g; the clip's gradient is unchanged. A
    graded network whose first layer is silent on every state passes no gradient to that layer's
    weights without the leak, and some with it."""
    from rivc.qnet import QuantQNetwork, straight_through_count

    z0 = torch.tensor([[-1.0, 0.2, 0.5, 2.0]])
    value, upstream = torch.tensor([[0.0, 0.25, 0.5, 1.0]]), torch.tensor([[1.0, 2.0, 3.0, 4.0]])
    grads = {}
    for leak in (0.0, 0.1):
        z, clip = z0.clone().requires_grad_(), torch.tensor(1.0, requires_grad=True)
        h = straight_through_count(z, clip, value, leak)
        assert torch.equal(h.detach(), value)
        (h * upstream).sum().backward()
        grads[leak] = (z.grad, clip.grad)
    assert torch.allclose(grads[0.0][0], torch.tensor([[0.0, 2.0, 3.0, 0.0]]))
    assert torch.allclose(grads[0.1][0], torch.tensor([[0.1, 2.0, 3.0, 0.4]]))
    assert torch.equal(grads[0.0][1], grads[0.1][1]) and grads[0.1][1].item() == 4.0

    torch.manual_seed(0)
    obs = torch.rand(32, 5) * 2 - 1
    first_grads = []
    for leak in (0.0, 0.1):
        torch.manual_seed(1)
        net = QuantQNetwork(5, 3, [16, 16], 4, 15, clip_init=0.5, scheme="graded", ste_leak=leak)
        with torch.no_grad():
            net.linears[0].bias.fill_(-10.0)          # every first-layer unit silent on every state
        q = net(obs)
        assert torch.equal(net.forward_full(obs).counts[0], torch.zeros(32, 16, dtype=torch.long))
        q.sum().backward()
        first_grads.append(net.linears[0].weight.grad.abs().sum().item())
    assert first_grads[0] == 0.0 and first_grads[1] > 0.0


def test_ste_round_clamped_is_clamp_then_straight_through_round_bit_for_bit():
    """round(clamp(x)) forward and clamp's gradient (bounds included) backward, as the
    two-step expression gives them."""
    from rivc.qnet import ste_round_clamped

    x0 = torch.tensor([-9.0, -5.0, -4.5, -0.5, 0.5, 1.5, 2.49, 5.0, 7.3])   # bounds -5 and 5 included
    upstream = torch.arange(1.0, 10.0)
    results = []
    for fused in (False, True):
        x = x0.clone().requires_grad_()
        if fused:
            y = ste_round_clamped(x, -5, 5)
        else:
            c = x.clamp(-5, 5)
            y = c + (torch.round(c) - c).detach()
        (y * upstream).sum().backward()
        results.append((y.detach(), x.grad))
    for got, want in zip(results[1], results[0]):
        assert torch.equal(got, want)


def test_target_sync_copies_or_averages():
    net, target = Table([[1.0, 3.0], [2.0, -1.0]]), Table([[0.0, 0.0], [0.0, 0.0]])
    TargetSync(target, net, tau=0.25)()                 # Polyak: target + 0.25 (net - target)
    assert torch.equal(target.q, torch.tensor([[0.25, 0.75], [0.5, -0.25]]))
    TargetSync(target, net)()                           # tau = 1: a hard copy
    assert torch.equal(target.q, net.q)
    polyak = TargetSync(target, net, tau=0.5)
    target.load_state_dict({"q": torch.zeros(2, 2)})    # in place (resume): the sync's tensors stay the module's
    polyak()
    assert torch.equal(target.q, 0.5 * net.q)


def test_polyak_sync_refreshes_a_quantized_target():
    """The quantized network caches its integer layers per parameter version: an averaged target
    must compute what a network built from its new weights computes."""
    torch.manual_seed(0)
    net, target = (QuantQNetwork(4, 7, [16], 4, 15, 8, 1.0) for _ in range(2))
    x = torch.rand(8, 4) * 2 - 1
    with torch.no_grad():
        target(x)                                       # fills the cache
        TargetSync(target, net, tau=0.5)()
        rebuilt = QuantQNetwork(4, 7, [16], 4, 15, 8, 1.0)
        rebuilt.load_state_dict(target.state_dict())
        assert torch.equal(target(x), rebuilt(x))
