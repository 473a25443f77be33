"""Detection benchmark: the analyze replay on a labelled corpus, figures per condition.

    .venv/bin/python bench/detection_benchmark.py [--traces 300] [--seed-base 1000]

Prints a Markdown report: per condition, sensitivity (and within the target), median
and 90th-percentile time from onset to alarm, tissue volume at detection
(infiltration), false alarms per 100 chair-hours (a raise with no such event in
progress), by rate band at onset. Seeds below 1000 were used to tune the settings;
the report runs on seeds from --seed-base, not seen while tuning.
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import platform
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from detection_corpus import EVENTS, SAMPLINGS, Trace, make_scenario, simulate, station_sampled

from station.detection.chair import DetectionSettings
from station.detection.trace_replay import replay

BANDS = ((20.0, 60.0), (60.0, 150.0), (150.0, 300.1))


@dataclass
class Outcome:
    """What happened in one trace."""

    seed: int
    event: str | None
    rate_band: str
    hours: float
    onset_in_pause: bool
    delay_s: float | None = None
    before_stall: bool | None = None
    tissue_ml: float | None = None
    false_raises: dict[str, int] = field(default_factory=dict)
    other_event_raises: dict[str, int] = field(default_factory=dict)
    sample_interval_s: float = 1.0


def _band(rate: float) -> str:
    for low, high in BANDS:
        if low <= rate < high:
            return f"{low:.0f}-{min(high, 300):.0f}"
    return "other"


CACHE = Path(__file__).resolve().parent / "out" / "corpus"


def _trace(seed: int, sampling: str) -> Trace:
    # Simulating is the slow part; a cached trace replays the same rows (bench/out/ is
    # ignored by git). Delete the folder after changing the corpus generator.
    folder = CACHE if sampling == "mixed" else CACHE / sampling
    path = folder / f"{seed}.pickle"
    if path.exists():
        with path.open("rb") as f:
            cached: Trace = pickle.load(f)
        return cached
    scenario = make_scenario(seed)
    trace = simulate(station_sampled(scenario) if sampling == "station" else scenario)
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        pickle.dump(trace, f)
    return trace


def settings_from(pairs: list[str]) -> DetectionSettings:
    """`infiltration.rise_min_mmhg=1.5` style overrides of the default settings."""
    settings = DetectionSettings()
    for pair in pairs:
        path, _, value = pair.partition("=")
        group, _, name = path.partition(".")
        part = getattr(settings, group)
        settings = replace(settings, **{group: replace(part, **{name: float(value)})})
    return settings


def evaluate(job: tuple[int, DetectionSettings, str]) -> Outcome:
    seed, settings, sampling = job
    trace = _trace(seed, sampling)
    scenario = trace.scenario
    raises = [(e.time_s, e.condition) for e in replay(trace.samples, settings)
              if e.event == "raised"]
    onset = scenario.onset_s
    in_pause = any(s <= onset < e for s, e in scenario.breaks)
    outcome = Outcome(seed, scenario.event, _band(trace.rate_at(onset)),
                      trace.samples[-1].time_s / 3600.0, in_pause,
                      sample_interval_s=scenario.dt_s)
    for t, condition in raises:
        if condition not in EVENTS:
            continue
        if condition == scenario.event and t >= onset:
            if outcome.delay_s is None:
                _record_detection(outcome, trace, t)
            continue
        bucket = (outcome.other_event_raises
                  if scenario.event is not None and t >= onset else outcome.false_raises)
        bucket[condition] = bucket.get(condition, 0) + 1
    return outcome


def _record_detection(outcome: Outcome, trace: Trace, t: float) -> None:
    outcome.delay_s = t - trace.scenario.onset_s
    if trace.scenario.event == "occlusion":
        outcome.before_stall = trace.stall_s is None or t < trace.stall_s
    if trace.scenario.event == "infiltration":
        index = next(i for i, s in enumerate(trace.samples) if s.time_s >= t)
        outcome.tissue_ml = trace.tissue_ml[index]


def _pct(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.1f}"


def _row(label: str, group: list[Outcome], event: str) -> str:
    n = len(group)
    if n == 0:
        return f"| {label} | 0 | - | - | - | - |"
    hits = [o for o in group if o.delay_s is not None]
    delays = [o.delay_s for o in hits if o.delay_s is not None]
    if event == "dislodgement":
        target = sum(1 for d in delays if d <= 30.0)
        target_text = f"{target}/{n} = {100 * target / n:.1f} % within 30 s"
    elif event == "occlusion":
        target = sum(1 for o in hits if o.before_stall)
        target_text = f"{target}/{n} = {100 * target / n:.1f} % before the pump's stall"
    else:
        vols = [o.tissue_ml for o in hits if o.tissue_ml is not None]
        target_text = (f"tissue mL at alarm: median {_pct(vols, 0.5)}, p90 {_pct(vols, 0.9)}"
                       if vols else "-")
    sens = f"{len(hits)}/{n} = {100 * len(hits) / n:.1f} %" if n else "-"
    return (f"| {label} | {n} | {sens} | {target_text} | {_pct(delays, 0.5)} | "
            f"{_pct(delays, 0.9)} |")


def report(outcomes: list[Outcome], elapsed_s: float) -> str:
    hours = sum(o.hours for o in outcomes)
    lines = [f"Traces: {len(outcomes)}, {hours:.0f} chair-hours, simulated and replayed in "
             f"{elapsed_s:.0f} s on {multiprocessing.cpu_count()} CPUs "
             f"({platform.processor() or platform.machine()}).", ""]
    for event in EVENTS:
        group = [o for o in outcomes if o.event == event]
        lines += [f"### {event}", "",
                  "| rate band at onset (mL/h) | events | detected | target | "
                  "median s to alarm | p90 s |", "|---|---|---|---|---|---|"]
        lines.append(_row("all", group, event))
        for low, high in BANDS:
            label = f"{low:.0f}-{min(high, 300):.0f}"
            lines.append(_row(label, [o for o in group if o.rate_band == label], event))
        lines.append(_row("onset during a pause", [o for o in group if o.onset_in_pause],
                          event))
        lines.append(_row("onset while infusing", [o for o in group if not o.onset_in_pause],
                          event))
        lines.append("")
    lines += ["### False alarms", "",
              "| condition | raises with no line event | per 100 chair-hours | "
              "raises during another line event |", "|---|---|---|---|"]
    for event in EVENTS:
        false = sum(o.false_raises.get(event, 0) for o in outcomes)
        other = sum(o.other_event_raises.get(event, 0) for o in outcomes)
        lines.append(f"| {event} | {false} | {100 * false / hours:.2f} | {other} |")
    intervals = sorted({o.sample_interval_s for o in outcomes})
    if len(intervals) > 1:
        lines += ["", "### By row interval", "",
                  "| rows every | chair-hours | dislodgement within 30 s (while infusing) | "
                  "infiltration detected, median tissue mL | false alarms per 100 h "
                  "(occlusion / dislodgement / infiltration) |", "|---|---|---|---|---|"]
        lines += [_interval_row(dt, [o for o in outcomes if o.sample_interval_s == dt])
                  for dt in intervals]
    return "\n".join(lines)


def _interval_row(dt: float, group: list[Outcome]) -> str:
    hours = sum(o.hours for o in group)
    moved = [o for o in group if o.event == "dislodgement" and not o.onset_in_pause]
    quick = sum(1 for o in moved if o.delay_s is not None and o.delay_s <= 30.0)
    infiltrations = [o for o in group if o.event == "infiltration"]
    found = [o.tissue_ml for o in infiltrations if o.tissue_ml is not None]
    false = " / ".join(f"{100 * sum(o.false_raises.get(e, 0) for o in group) / hours:.2f}"
                       for e in EVENTS)
    return (f"| {dt:g} s | {hours:.0f} | {quick}/{len(moved)} | {len(found)}/"
            f"{len(infiltrations)}, {_pct(found, 0.5)} | {false} |")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--traces", type=int, default=300)
    parser.add_argument("--seed-base", type=int, default=1000)
    parser.add_argument("--sampling", choices=SAMPLINGS, default="station",
                        help="station: 10 pressure reads a second and a full poll every "
                             "second, as the monitoring service; mixed: rows every 0.1-5 s")
    parser.add_argument("--workers", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("--set", action="append", default=[], metavar="GROUP.NAME=VALUE",
                        help="override a detector setting, e.g. infiltration.rise_min_mmhg=1.5")
    args = parser.parse_args(argv)
    settings = settings_from(args.set)
    jobs = [(seed, settings, args.sampling)
            for seed in range(args.seed_base, args.seed_base + args.traces)]
    started = time.monotonic()
    with multiprocessing.Pool(args.workers) as pool:
        outcomes = pool.map(evaluate, jobs, chunksize=4)
    print(f"Seeds {args.seed_base}-{args.seed_base + args.traces - 1}, {args.sampling} "
          f"sampling; settings changed: "
          f"{', '.join(args.set) or 'none'}.")
    print(report(outcomes, time.monotonic() - started))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
