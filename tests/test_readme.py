"""The README's Python example runs as written, and the README stays a quick start."""
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_example_runs_as_written(tmp_path, cli_env):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) == 1
    proc = subprocess.run([sys.executable, "-c", blocks[0]], cwd=tmp_path, env=cli_env, capture_output=True,
                          text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "runs/cartpole/result.json").is_file()
    lava_return = float(proc.stdout.strip().splitlines()[-1].split(":")[1])
    assert lava_return >= 1


def test_readme_is_a_quick_start_with_no_link_outside_the_clone():
    text = README.read_text()
    assert len(text.splitlines()) <= 220
    assert "../shared" not in text and "make demo" in text and "make test" in text
    for path in re.findall(r"`((?:docs|scripts|configs|envs|rivc|neurochip|tests)/[^`\s]*)`", text):
        if "*" not in path and "<" not in path:
            assert (README.parent / path).exists(), path
