"""Per-run logs: one CSV row and one TensorBoard point per metric every log interval."""
from __future__ import annotations

import csv
from pathlib import Path


class RunLog:
    """resume_after_step: continue an existing metrics.csv, dropping rows written after that step
    (they belong to the part of the run that is being redone)."""

    def __init__(self, run_dir: Path, fields: list[str], tensorboard: bool = True,
                 resume_after_step: int | None = None):
        self.path = Path(run_dir) / "metrics.csv"
        self.fields = fields
        kept = []
        if resume_after_step is not None and self.path.is_file():
            with open(self.path, newline="") as f:
                kept = [r for r in csv.DictReader(f) if int(r["env_step"]) <= resume_after_step]
        self._file = open(self.path, "w", newline="")
        self._csv = csv.DictWriter(self._file, fieldnames=fields)
        self._csv.writeheader()
        self._csv.writerows(kept)
        self._file.flush()
        self._tb = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self._tb = SummaryWriter(str(Path(run_dir) / "tb"))

    def write(self, step: int, row: dict) -> None:
        row = {k: row.get(k, "") for k in self.fields}
        self._csv.writerow(row)
        self._file.flush()
        if self._tb is not None:
            for k, v in row.items():
                if k != "env_step" and isinstance(v, (int, float)):
                    self._tb.add_scalar(k, v, step)

    def close(self) -> None:
        self._file.close()
        if self._tb is not None:
            self._tb.close()
