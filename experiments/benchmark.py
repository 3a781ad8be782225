"""Speed and memory benchmark (issue 6): one run, a printed table and a JSON file.

    .venv/bin/python experiments/benchmark.py            # full run, a few minutes on 2 cores
    .venv/bin/python experiments/benchmark.py --quick    # smaller inputs, for a smoke test
    .venv/bin/python experiments/benchmark.py --indicators-only   # indicator extraction vs raw jieba only

Measures (a) raw jieba throughput on the seed text replicated to >= 5 MB, (b)
PolicyClassifier.predict throughput on the same text and its ratio to (a),
(c) cold start of a fresh process that imports nlp, loads the default model and
classifies one report, beside a process that only imports scikit-learn and
pandas and initialises jieba, (d) training, LDA and BERTopic fit times at 1x,
4x and 16x the seed corpus, each in its own process, (e) the peak memory
(max RSS) of those processes, and (f) training the shipped model from
configs/classifier.yaml (seeds, guide examples and the written corpus) in a fresh
process, and the size of the shipped model folder. Writes
experiments/results/benchmark/benchmark.json. Peak memory is each child's VmHWM (Linux):
ru_maxrss survives exec and would report this parent's size.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "experiments" / "results" / "benchmark"
PY = sys.executable
SEED_REPORT = ROOT / "seeds" / "000_631c43eba3159a46.txt"

# Child programs: each prints one JSON line; run in fresh processes so that
# cold-start and peak-memory figures are not polluted by this process.
COLD_BASELINE = "import sklearn, pandas, jieba\njieba.initialize()\n"
COLD_NLP = f"import nlp\nclf = nlp.PolicyClassifier.load()\nclf.classify_report({str(SEED_REPORT)!r})\n"
SCALING = r"""
import json, resource, sys, time
import pandas as pd
import nlp
from nlp.classifier.data import load_training_data
kind, scale = sys.argv[1], int(sys.argv[2])
corpus = nlp.load_corpus("seeds")
def replicate(frame, k):
    parts = []
    for i in range(k):
        part = frame.copy()
        part["doc_id"] = part["doc_id"] + f"_r{i}"
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
start = time.perf_counter()
if kind == "classifier":
    data = load_training_data(guide_examples=True)
    texts, labels, groups = data.units("clause", None, True)
    clf = nlp.PolicyClassifier(taxonomy=data.taxonomy).fit(texts * scale, labels * scale, groups=groups * scale)
    units = len(texts) * scale
elif kind == "lda":
    paragraphs = replicate(corpus.paragraphs, scale)
    nlp.fit_topics(paragraphs, method="lda", n_topics=6, n_restarts=1, progress=False)
    units = len(paragraphs)
else:
    paragraphs = replicate(corpus.paragraphs, scale)
    nlp.fit_topics(paragraphs, method="bertopic", n_topics=8, progress=False)
    units = len(paragraphs)
seconds = time.perf_counter() - start
rss_mb = int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) / 1024
print(json.dumps({"kind": kind, "scale": scale, "units": units, "seconds": seconds, "peak_rss_mb": rss_mb}))
"""


def _run_child(code: str, *args: str, timeout: float = 1800) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run([PY, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


SHIPPED_TRAINING = r"""
import json, resource, time
from nlp.classifier.run import load_job_data, train_final
from nlp.classifier.schema import load_classifier_config
start = time.perf_counter()
config = load_classifier_config("configs/classifier.yaml")
data = load_job_data(config)
loaded = time.perf_counter()
classifier = train_final(config, data)
done = time.perf_counter()
print(json.dumps({"load_seconds": loaded - start, "fit_seconds": done - loaded, "n_train": int(classifier.n_train_),
                  "peak_rss_mb": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM:")).split()[1]) / 1024}))
"""


def shipped_training() -> dict:
    """(f) Training the shipped configuration in a fresh process, and the shipped folder's size."""
    elapsed, stdout = _run_child(SHIPPED_TRAINING)
    result = json.loads(stdout.strip().splitlines()[-1])
    result["process_seconds"] = elapsed
    folder = ROOT / "models" / "policy_classifier"
    result["model_folder_mb"] = sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 1e6
    return result


def seed_text(min_bytes: int) -> list[str]:
    import nlp

    paragraphs = nlp.load_corpus("seeds").paragraphs["text"].tolist()
    size = sum(len(p.encode("utf-8")) for p in paragraphs)
    return paragraphs * math.ceil(min_bytes / size)


def throughput(paragraphs: list[str], backends: list[str]) -> dict:
    import nlp
    from nlp.tokenize import cut, get_engine

    n_bytes = sum(len(p.encode("utf-8")) for p in paragraphs)
    out = {"paragraphs": len(paragraphs), "megabytes": n_bytes / 1e6}
    for backend in backends:
        get_engine(backend)  # initialise outside the timing
        start = time.perf_counter()
        for p in paragraphs:
            cut(p, backend)
        seconds = time.perf_counter() - start
        out[f"tokenize_{backend}"] = {"seconds": seconds, "mb_per_s": n_bytes / 1e6 / seconds,
                                      "paragraphs_per_s": len(paragraphs) / seconds}
    classifier = nlp.PolicyClassifier.load()
    classifier.predict(paragraphs[:10])
    for n_jobs in (1, 2):
        start = time.perf_counter()
        classifier.set_params(n_jobs=n_jobs).predict(paragraphs)
        seconds = time.perf_counter() - start
        out[f"predict_n_jobs_{n_jobs}"] = {"seconds": seconds, "mb_per_s": n_bytes / 1e6 / seconds,
                                           "paragraphs_per_s": len(paragraphs) / seconds}
    out["predict_to_jieba_ratio"] = out["predict_n_jobs_1"]["mb_per_s"] / out["tokenize_jieba"]["mb_per_s"]
    return out


def indicator_throughput(paragraphs: list[str]) -> dict:
    """Indicator extraction (issue 15) against raw jieba on the same paragraphs; target ratio >= 1."""
    import pandas as pd

    from nlp.indicators import extract_indicators
    from nlp.tokenize import cut, get_engine

    n_bytes = sum(len(p.encode("utf-8")) for p in paragraphs)
    frame = pd.DataFrame({"doc_id": "bench", "para_id": range(len(paragraphs)), "district": "滨江区", "year": 2024,
                          "section_role": "achievements", "text": paragraphs})
    get_engine("jieba")
    extract_indicators(frame.head(50))  # load the spec outside the timing
    start = time.perf_counter()
    for p in paragraphs:
        cut(p, "jieba")
    jieba_seconds = time.perf_counter() - start
    start = time.perf_counter()
    table = extract_indicators(frame)
    seconds = time.perf_counter() - start
    return {"megabytes": n_bytes / 1e6, "paragraphs": len(paragraphs), "mentions": len(table),
            "jieba": {"seconds": jieba_seconds, "mb_per_s": n_bytes / 1e6 / jieba_seconds,
                      "paragraphs_per_s": len(paragraphs) / jieba_seconds},
            "indicators": {"seconds": seconds, "mb_per_s": n_bytes / 1e6 / seconds,
                           "paragraphs_per_s": len(paragraphs) / seconds},
            "indicators_to_jieba_ratio": jieba_seconds / seconds}


def cold_start(repeats: int) -> dict:
    baseline = sorted(_run_child(COLD_BASELINE)[0] for _ in range(repeats))
    package = sorted(_run_child(COLD_NLP)[0] for _ in range(repeats))
    b, p = baseline[len(baseline) // 2], package[len(package) // 2]
    return {"baseline_seconds": b, "nlp_seconds": p, "ratio": p / b, "repeats": repeats,
            "baseline": "python -c 'import sklearn, pandas, jieba; jieba.initialize()'",
            "nlp": "python -c 'import nlp; PolicyClassifier.load().classify_report(<one seed report>)'"}


def scaling(scales: list[int]) -> list[dict]:
    rows = []
    for kind in ("classifier", "lda", "bertopic"):
        for scale in scales:
            _, stdout = _run_child(SCALING, kind, str(scale))
            rows.append(json.loads(stdout.strip().splitlines()[-1]))
            print(f"  {kind:10s} x{scale:<3d} {rows[-1]['seconds']:8.1f} s  peak {rows[-1]['peak_rss_mb']:7.0f} MB", flush=True)
    for kind in ("classifier", "lda", "bertopic"):
        points = [(r["units"], r["seconds"]) for r in rows if r["kind"] == kind]
        if len(points) >= 2:
            (u0, s0), (u1, s1) = points[0], points[-1]
            exponent = math.log(s1 / s0) / math.log(u1 / u0)
            for r in rows:
                if r["kind"] == kind:
                    r["growth_exponent"] = exponent
    return rows


def compare_speed(repeats: int = 3) -> dict:
    """``compare_groups`` by district on 250 paragraphs x 52 districts (one report each), as researchers use it."""
    import numpy as np

    from nlp.topics.compare import compare_groups

    rng = np.random.default_rng(0)
    groups = np.repeat([f"d{i:02d}" for i in range(52)], [5] * 42 + [4] * 10)
    theta = rng.dirichlet(np.full(8, 0.3), size=len(groups))
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        compare_groups(theta, groups, by="district", clusters=groups, n_boot=2000, n_perm=1000, min_group_size=1)
        seconds.append(time.perf_counter() - start)
    return {"paragraphs": int(len(groups)), "districts": 52, "seconds": min(seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="0.5 MB text, scales 1x and 2x, one cold-start repeat")
    parser.add_argument("--output", default=None,
                        help="JSON file (default experiments/results/benchmark/benchmark.json; with --quick, which "
                             "measures less, experiments/results/runs/benchmark-quick/benchmark.json)")
    parser.add_argument("--indicators-only", action="store_true",
                        help="only indicator extraction vs raw jieba (writes indicators.json beside the output)")
    args = parser.parse_args()
    if args.output is None:  # a quick run never overwrites the tracked measurements
        args.output = str((OUT.parent / "runs" / "benchmark-quick" if args.quick else OUT) / "benchmark.json")
    if args.indicators_only:
        min_bytes = 500_000 if args.quick else 5_000_000
        result = indicator_throughput(seed_text(min_bytes))
        path = Path(args.output).parent / "indicators.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2), encoding="utf-8")
        print(f"{result['megabytes']:.1f} MB, {result['paragraphs']} paragraphs: jieba {result['jieba']['mb_per_s']:.2f} MB/s, "
              f"indicators {result['indicators']['mb_per_s']:.2f} MB/s, ratio {result['indicators_to_jieba_ratio']:.2f}x "
              f"(target >= 1)\nwritten to {path}")
        return
    from nlp.tokenize import BACKENDS

    backends = list(BACKENDS)
    min_bytes = 500_000 if args.quick else 5_000_000
    scales = [1, 2] if args.quick else [1, 4, 16]
    print(f"(a, b) throughput on >= {min_bytes / 1e6:.1f} MB of seed text", flush=True)
    speed = throughput(seed_text(min_bytes), backends)
    speed["indicators"] = indicator_throughput(seed_text(min_bytes))
    print("(c) cold start", flush=True)
    cold = cold_start(1 if args.quick else 3)
    print("(d, e) training and topic fits, each in a fresh process", flush=True)
    fits = scaling(scales)
    print("(f) training the shipped model", flush=True)
    shipped = shipped_training()
    print("(g) compare_districts on 250 paragraphs x 52 districts", flush=True)
    compare = compare_speed(1 if args.quick else 3)
    result = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
              "throughput": speed, "cold_start": cold, "scaling": fits, "shipped_training": shipped,
              "compare_districts": compare}
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2), encoding="utf-8")
    print()
    print(render(result))
    print(f"\nwritten to {args.output}")


def render(result: dict) -> str:
    speed, cold = result["throughput"], result["cold_start"]
    lines = ["| measure | value | target |", "| --- | --- | --- |"]
    for key, value in speed.items():
        if isinstance(value, dict) and "mb_per_s" in value:
            lines.append(f"| {key} | {value['mb_per_s']:.2f} MB/s, {value['paragraphs_per_s']:.0f} paragraphs/s | |")
    lines.append(f"| predict / raw jieba | {speed['predict_to_jieba_ratio']:.2f}x | >= 1.5x |")
    if "indicators" in speed:
        lines.append(f"| indicator extraction / raw jieba | {speed['indicators']['indicators_to_jieba_ratio']:.2f}x | >= 1x |")
    lines.append(f"| cold start: import + load + classify one report | {cold['nlp_seconds']:.2f} s | |")
    lines.append(f"| cold start: sklearn + pandas + jieba init only | {cold['baseline_seconds']:.2f} s | |")
    lines.append(f"| cold start ratio | {cold['ratio']:.2f}x | <= 1.25x |")
    for row in result["scaling"]:
        lines.append(f"| {row['kind']} fit at {row['scale']}x ({row['units']} units) | {row['seconds']:.1f} s, "
                     f"peak RSS {row['peak_rss_mb']:.0f} MB, growth exponent {row.get('growth_exponent', float('nan')):.2f} | "
                     f"exponent <= 1, peak < 2048 MB at 16x |")
    shipped = result.get("shipped_training")
    if shipped:
        lines.append(f"| training the shipped model ({shipped['n_train']} units) | {shipped['process_seconds']:.1f} s "
                     f"(fit {shipped['fit_seconds']:.1f} s), peak RSS {shipped['peak_rss_mb']:.0f} MB | < 180 s |")
        lines.append(f"| shipped model folder | {shipped['model_folder_mb']:.1f} MB | < 25 MB |")
    if "compare_districts" in result:
        row = result["compare_districts"]
        lines.append(f"| compare_districts, {row['paragraphs']} paragraphs x {row['districts']} districts | "
                     f"{row['seconds']:.2f} s | < 5 s |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
