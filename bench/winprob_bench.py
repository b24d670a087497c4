"""Time the win-probability model's nightly training on the bench database (issue 20).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salescrm_bench python bench/winprob_bench.py

Runs ``analytics.winprob.train_and_score`` for the latest business date three times and prints
each run's total, the feature read (one SQL statement) alone, the seconds of each phase of the
job (read, back-test, fit, score, write) and the model's figures."""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from analytics import winprob  # noqa: E402
from salescrm.timeutil import business_date  # noqa: E402


def main(repeat: int = 3) -> None:
    day = business_date()
    import sklearn.calibration  # noqa: F401  (the import is not the training)

    reads, totals, phases = [], [], []
    for _ in range(repeat):
        started = time.perf_counter()
        frame = winprob._frame(day)
        reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        phases.append({})
        run = winprob.train_and_score(day, phases=phases[-1])
        totals.append(time.perf_counter() - started)
        print(
            f"run: {totals[-1]:.1f} s (feature read {reads[-1]:.1f} s, {len(frame)} leads); "
            f"closed {run.training_rows} (won {run.training_won}), held out {run.holdout_rows}, "
            f"AUC {run.auc}, scored {run.scored}",
            flush=True,
        )
        print("    " + ", ".join(f"{k} {v:.2f} s" for k, v in phases[-1].items()), flush=True)
    print(
        f"median: train_and_score {statistics.median(totals):.1f} s, "
        f"feature read {statistics.median(reads):.1f} s; load {os.getloadavg()}"
    )
    for phase in phases[0]:
        print(f"    {phase}: median {statistics.median(p[phase] for p in phases):.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
