"""Per-run logs: one CSV row and one TensorBoard point per metric every log interval."""
from __future__ import annotations

import csv
from pathlib import Path


class RunLog:
    def __init__(self, run_dir: Path, fields: list[str], tensorboard: bool = True):
        self.path = Path(run_dir) / "metrics.csv"
        self.fields = fields
        self._file = open(self.path, "w", newline="")
        self._csv = csv.DictWriter(self._file, fieldnames=fields)
        self._csv.writeheader()
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
