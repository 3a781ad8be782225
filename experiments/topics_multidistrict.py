"""Topic models on a multi-district corpus: LDA defaults, LDA vs BERTopic vs plain gensim, the K rule, speed.

The corpus is the written training corpus (seeds/corpus/corpus.jsonl: 2,400
paragraphs by six writers for districts in 30 provinces, each with gold policy
areas). These paragraphs were written by the team, not taken from real
reports. Researchers fit topics on about 250 paragraphs, so every model is
fitted on random 250-paragraph samples of it (``--samples``); agreement with
the gold areas is scored on the paragraphs with exactly one gold area.

Parts (``--part``, default all):

defaults
    The package's LDA with one option changed at a time (vocabulary filter,
    word length, passes, priors) and a plain gensim ``LdaModel`` (jieba
    tokens, no filtering, gensim's defaults), at K = 8: NMI/ARI with the gold
    areas, ARI between random states, c_v, fit time.
methods
    The package's LDA (its defaults), BERTopic (its defaults, soft shares)
    and plain gensim at the same K: NMI/ARI with the gold areas, stability
    (ARI between random states), coherence (c_v, c_npmi), fit time.
k_rule
    The K each rule chooses over several seed lists (0-4, 5-9, ...).
k_evidence
    For the K-rule stability measurement: K = 2..10 x 12 seeds on each of
    ``--sets`` (three mixed 250-paragraph samples; 250 single-area paragraphs
    of all 5 areas; of 3 areas), keeping every fit's scores, dominant-topic
    partition and top words (``k_evidence/<set>.csv``).
k_stability
    From ``k_evidence``: every rule (the library's ``K_RULES`` and the
    candidates measured: restart stability, topic-word stability, consensus
    PAC and cophenetic correlation, bagged and smoothed one-SD, a two-SD
    tolerance) on 20 random 5-seed lists of each set over K = 3..10: modal K,
    agreement, and NMI with the gold areas at the modal K.
k_rule_summary
    From the sweeps that ``k_rule`` saved: for each rule and metric, the K
    chosen with each of 20 random 5-seed lists out of the 15 seeds, and the
    share of lists that choose the most common K (1.0: the rule never flips).
speed
    ``compare_districts()`` on 250 paragraphs from 52 districts (one report
    each), 1,000 permutations and 2,000 draws.

Writes experiments/results/topics_multidistrict/<part>.csv.

    .venv/bin/python experiments/topics_multidistrict.py
    .venv/bin/python experiments/topics_multidistrict.py --part methods --samples 1 --states 3
"""
from __future__ import annotations

import argparse
import itertools
import logging
import time

import numpy as np
import pandas as pd

import nlp
from nlp.paths import results_dir, seeds_dir
from nlp.topics.compare import partition_agreement
from nlp.topics.documents import make_tokenizer, place_names
from nlp.topics.metrics import coherence

PARTS = ("defaults", "methods", "k_rule", "k_rule_summary", "k_evidence", "k_stability", "speed")
#: Corpora for the K-rule stability measurement: the mixed samples (gold 5 areas plus 40 % unlabelled
#: paragraphs) and two sub-samples with a known number of areas (single-area paragraphs only).
EVIDENCE_SETS = ("mixed0", "mixed1", "mixed2", "areas5", "areas3")
AREAS3 = ("legal_outreach", "administrative_review", "mediation")
EVIDENCE_K = list(range(2, 11))
K = 8
DEFAULT_OPTIONS = {"no_below": 5, "passes": 30, "min_word_length": 2}
ABLATIONS = {  # LdaTopicModel options changed one at a time (before: no_below=2, passes=10, all word lengths)
    "before (no_below=2, passes=10, min_word_length=1)": {"no_below": 2, "passes": 10, "min_word_length": 1},
    "no_below=5": {"no_below": 5, "passes": 10, "min_word_length": 1},
    "min_word_length=2": {"no_below": 2, "passes": 10, "min_word_length": 2},
    "no_below=5, min_word_length=2": {"no_below": 5, "passes": 10, "min_word_length": 2},
    "no_below=5, passes=30": {"no_below": 5, "passes": 30, "min_word_length": 1},
    "no_below=5, passes=30, min_word_length=2 (default)": DEFAULT_OPTIONS,
    "default + symmetric priors": {**DEFAULT_OPTIONS, "alpha": "symmetric", "eta": "symmetric"},
    "default + no_above=0.3": {**DEFAULT_OPTIONS, "no_above": 0.3},
}


def _corpus():
    corpus = nlp.load_corpus(seeds_dir() / "corpus" / "corpus.jsonl")
    frame = corpus.paragraphs
    places = place_names([*frame["district"].dropna().unique(), *frame["city"].dropna().unique(),
                          *frame["province"].dropna().unique()])
    return frame, places


def _samples(n_total: int, n_samples: int, size: int = 250) -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [np.sort(rng.choice(n_total, size, replace=False)) for _ in range(n_samples)]


def _plain_gensim(tokens, k, seed):
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    dictionary = Dictionary(tokens)
    bow = [dictionary.doc2bow(t) for t in tokens]
    model = LdaModel(bow, id2word=dictionary, num_topics=k, random_state=seed)
    theta = np.zeros((len(bow), k))
    for i, doc in enumerate(bow):
        for topic, p in model.get_document_topics(doc, minimum_probability=0.0):
            theta[i, topic] = p
    return theta, [[w for w, _ in model.show_topic(t, 10)] for t in range(k)]


def _package_lda(options):
    from nlp.topics.lda import LdaTopicModel

    def fit(tokens, k, seed):
        model = LdaTopicModel(n_topics=k, random_state=seed, **options).fit(tokens)
        return model.doc_topics_, model.topics(10)
    return fit


def _bertopic(tokenizer):
    from nlp.topics.bertopic_model import BertopicTopicModel

    def fit(texts, k, seed):
        model = BertopicTopicModel(n_topics=k, tokenizer=tokenizer, random_state=seed).fit(texts)
        return model.doc_topics_, model.topics(10)
    return fit


def _score(name, fit, inputs, tokens, gold, states, k=K, extra=None):
    parts, nmi, ari, cv, npmi, seconds = [], [], [], [], [], []
    single = np.array([g is not None for g in gold])
    gold_single = np.array([g for g in gold if g is not None])
    for seed in states:
        start = time.perf_counter()
        theta, top = fit(inputs, k, seed)
        seconds.append(time.perf_counter() - start)
        dominant = np.asarray(theta).argmax(axis=1)
        parts.append(dominant)
        agreement = partition_agreement(gold_single, dominant[single])
        nmi.append(agreement["nmi"])
        ari.append(agreement["adjusted_rand"])
        scores = coherence(top, tokens, ["c_v", "c_npmi"], top_n_words=10)
        cv.append(scores["c_v"])
        npmi.append(scores["c_npmi"])
    stability = np.mean([partition_agreement(a, b)["adjusted_rand"] for a, b in itertools.combinations(parts, 2)])
    row = {"model": name, "k": k, "nmi_gold": np.mean(nmi), "nmi_gold_sd": np.std(nmi), "ari_gold": np.mean(ari),
           "stability_ari": stability, "c_v": np.mean(cv), "c_npmi": np.mean(npmi), "fit_seconds": np.mean(seconds)}
    logging.getLogger("topics_multidistrict").warning("%s", {k_: (round(v, 3) if isinstance(v, float) else v)
                                                              for k_, v in row.items()})
    return {**(extra or {}), **row}


def _gold(frame):
    return [labels[0] if len(labels) == 1 else None for labels in frame["labels"]]


def _tokenized_samples(frame, tokenizer, samples):
    """(sample number, texts, tokens, gold area or None) for each sample of row positions."""
    for i, index in enumerate(samples):
        sample = frame.iloc[index]
        texts = sample["text"].tolist()
        yield i, texts, [tokenizer(t) for t in texts], _gold(sample)


def _plain_gensim_row(tokens, gold, states, i):
    return _score("plain gensim LdaModel", lambda x, k, s: _plain_gensim(x, k, s), tokens, tokens, gold, states,
                  extra={"sample": i})


def part_defaults(frame, places, samples, states):
    tokenizer = make_tokenizer(places=places)
    rows = []
    for i, _, tokens, gold in _tokenized_samples(frame, tokenizer, samples):
        rows.append(_plain_gensim_row(tokens, gold, states, i))
        for name, options in ABLATIONS.items():
            rows.append(_score(f"package LDA: {name}", _package_lda(options), tokens, tokens, gold, states,
                               extra={"sample": i}))
    return pd.DataFrame(rows)


def part_methods(frame, places, samples, states):
    tokenizer = make_tokenizer(places=places)
    rows = []
    for i, texts, tokens, gold in _tokenized_samples(frame, tokenizer, samples):
        rows.append(_plain_gensim_row(tokens, gold, states, i))
        rows.append(_score("package LDA (defaults)", _package_lda({}), tokens, tokens, gold, states,
                           extra={"sample": i}))
        rows.append(_score("package BERTopic (defaults, soft shares)", _bertopic(tokenizer), texts, tokens, gold,
                           states, extra={"sample": i}))
    return pd.DataFrame(rows)


def part_k_rule(frame, places, samples, n_lists):
    from nlp.topics.selection import K_RULES, choose_k, k_sweep

    tokenizer = make_tokenizer(places=places)
    rows = []
    for i, index in enumerate(samples):
        tokens = [tokenizer(t) for t in frame.iloc[index]["text"]]
        seeds = list(range(5 * n_lists))
        sweep = k_sweep(tokens, list(range(3, 11)), seeds, dict(DEFAULT_OPTIONS), progress=False)
        sweep.scores.assign(sample=i).to_csv(results_dir() / "topics_multidistrict" / f"k_sweep_sample{i}.csv",
                                             index=False, float_format="%.4f")
        for j in range(n_lists):
            chosen = sweep.scores[sweep.scores["seed"].isin(seeds[5 * j:5 * j + 5])]
            for rule in K_RULES:
                k, _ = choose_k(chosen, rule, "c_v")
                rows.append({"sample": i, "seed_list": f"{5 * j}-{5 * j + 4}", "rule": rule, "k": k})
    return pd.DataFrame(rows)


def part_k_rule_summary(n_lists: int = 20):
    from nlp.topics.selection import K_RULES, choose_k

    rows = []
    for path in sorted((results_dir() / "topics_multidistrict").glob("k_sweep_sample*.csv")):
        scores = pd.read_csv(path)
        seeds = sorted(scores["seed"].unique())
        rng = np.random.default_rng(0)
        lists = [sorted(rng.choice(seeds, 5, replace=False)) for _ in range(n_lists)]
        for metric in ("c_v", "c_npmi"):
            for rule in K_RULES:
                chosen = pd.Series([choose_k(scores[scores["seed"].isin(lst)], rule, metric)[0] for lst in lists])
                counts = chosen.value_counts()
                rows.append({"sample": int(scores["sample"].iloc[0]), "metric": metric, "rule": rule,
                             "modal_k": int(counts.index[0]), "agreement": counts.iloc[0] / n_lists,
                             "choices": " ".join(f"{k}:{n}" for k, n in counts.sort_index().items())})
    return pd.DataFrame(rows)


def _evidence_sample(frame, name: str):
    """Row indices of one evidence set (250 paragraphs)."""
    if name.startswith("mixed"):
        return _samples(len(frame), int(name[5:]) + 1)[int(name[5:])]
    single = frame["labels"].map(len) == 1
    areas = AREAS3 if name == "areas3" else tuple(sorted({lab[0] for lab in frame.loc[single, "labels"]}))
    pool = np.where(single & frame["labels"].map(lambda lab: len(lab) == 1 and lab[0] in areas))[0]
    return np.sort(np.random.default_rng(1).choice(pool, 250, replace=False))


def part_k_evidence(frame, places, names, n_seeds):
    """Sweep K = 2..10 x n_seeds on each evidence set; keep every fit's partition and top words."""
    from nlp.topics.selection import k_sweep

    tokenizer = make_tokenizer(places=places)
    out = results_dir() / "topics_multidistrict" / "k_evidence"
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in names:
        index = _evidence_sample(frame, name)
        sample = frame.iloc[index]
        tokens = [tokenizer(t) for t in sample["text"]]
        start = time.perf_counter()
        sweep = k_sweep(tokens, EVIDENCE_K, list(range(n_seeds)), dict(DEFAULT_OPTIONS), progress=False)
        seconds = time.perf_counter() - start
        fits = sweep.scores.copy()
        fits["partition"] = [" ".join(map(str, sweep.models[(k, s)].doc_topics_.argmax(axis=1)))
                             for k, s in zip(fits["k"], fits["seed"])]
        fits["top_words"] = ["|".join(" ".join(t) for t in sweep.models[(k, s)].topics(10))
                             for k, s in zip(fits["k"], fits["seed"])]
        fits.to_csv(out / f"{name}.csv", index=False, float_format="%.4f")
        pd.DataFrame({"row": index, "gold": [g or "" for g in _gold(sample)]}).to_csv(out / f"{name}_gold.csv",
                                                                                     index=False)
        rows.append({"set": name, "fits": len(fits), "seconds": round(seconds, 1)})
        logging.getLogger("topics_multidistrict").warning("%s: %d fits in %.0f s", name, len(fits), seconds)
    return pd.DataFrame(rows)


def _pairwise(values, score):
    return float(np.mean([score(a, b) for a, b in itertools.combinations(values, 2)]))


def _matched_jaccard(a, b) -> float:
    """Greene et al. (2014): mean Jaccard of the top words of topics matched one-to-one (Hungarian)."""
    from scipy.optimize import linear_sum_assignment

    m = np.array([[len(x & y) / len(x | y) for y in b] for x in a])
    rows, cols = linear_sum_assignment(-m)
    return float(m[rows, cols].mean())


def _consensus(parts) -> np.ndarray:
    """Share of restarts that put each pair of paragraphs in the same dominant topic (upper triangle)."""
    stack = np.stack(parts)
    together = np.mean([p[:, None] == p[None, :] for p in stack], axis=0)
    return together[np.triu_indices(stack.shape[1], 1)]


def _smallest_within(means: pd.Series, tolerance: float) -> int:
    return int(means.index[np.where(means.to_numpy() >= means.max() - tolerance - 1e-12)[0].min()])


def _candidate_rules(fits: pd.DataFrame, rng) -> dict[str, int]:
    """The K each rule chooses from one seed list's fits (the library's K_RULES and the candidates measured)."""
    from scipy.cluster.hierarchy import cophenet, linkage

    from nlp.topics.selection import K_RULES, choose_k

    scores = fits[["k", "seed", "c_v", "c_npmi"]]
    out = {rule: choose_k(scores, rule, "c_v")[0] for rule in K_RULES}
    out["one_sd on c_npmi"] = choose_k(scores, "one_sd", "c_npmi")[0]
    cv = fits.groupby("k")["c_v"].agg(["mean", "std"])
    out["two_sd (tolerance 2 sd)"] = _smallest_within(cv["mean"], 2 * cv["std"].median())
    out["one_sd on c_v smoothed over K-1..K+1"] = _smallest_within(
        cv["mean"].rolling(3, center=True, min_periods=1).mean(), cv["std"].median())
    picks = []  # bagged one_sd: restarts resampled with replacement within each K, the modal choice
    for _ in range(100):
        boot = {k: g["c_v"].to_numpy()[rng.integers(0, len(g), len(g))] for k, g in fits.groupby("k")}
        means = pd.Series({k: v.mean() for k, v in boot.items()})
        picks.append(_smallest_within(means, float(np.median([v.std(ddof=1) for v in boot.values()]))))
    out["bagged one_sd (100 resamples of the restarts)"] = int(pd.Series(picks).mode().iloc[0])
    by_k = dict(tuple(fits.groupby("k")))
    ari = pd.Series({k: _pairwise(g["part"], lambda a, b: partition_agreement(a, b)["adjusted_rand"])
                     for k, g in by_k.items()})
    out["max restart stability (ARI of partitions)"] = int(ari.idxmax())
    words = pd.Series({k: _pairwise(g["words"], _matched_jaccard) for k, g in by_k.items()})
    out["max topic-word stability (Greene 2014)"] = int(words.idxmax())
    pac, coph = {}, {}
    for k, g in by_k.items():
        together = _consensus(list(g["part"]))
        pac[k] = float(np.mean((together > 0.1) & (together < 0.9)))
        coph[k] = float(cophenet(linkage(1 - together, "average"), 1 - together)[0])
    out["min consensus PAC"] = int(pd.Series(pac).idxmin())
    out["max consensus cophenetic correlation"] = int(pd.Series(coph).idxmax())
    return out


def part_k_stability(n_lists: int = 20, k_values=tuple(range(3, 11))):
    """Every rule on random 5-seed lists of each k_evidence set: modal K, agreement, gold NMI at the modal K."""
    out = results_dir() / "topics_multidistrict" / "k_evidence"
    rows = []
    for name in EVIDENCE_SETS:
        if not (out / f"{name}.csv").exists():
            continue
        fits = pd.read_csv(out / f"{name}.csv")
        fits = fits[fits["k"].isin(k_values)].reset_index(drop=True)
        gold = pd.read_csv(out / f"{name}_gold.csv", keep_default_na=False)["gold"].to_numpy()
        fits["part"] = [np.array(p.split(), dtype=int) for p in fits["partition"]]
        fits["words"] = [[set(t.split()) for t in w.split("|")] for w in fits["top_words"]]
        has_gold = gold != ""
        gold_nmi = {k: float(np.mean([partition_agreement(gold[has_gold], p[has_gold])["nmi"] for p in g["part"]]))
                    for k, g in fits.groupby("k")}
        seeds = sorted(fits["seed"].unique())
        rng = np.random.default_rng(0)
        lists = [sorted(rng.choice(seeds, 5, replace=False)) for _ in range(n_lists)]
        choices = pd.DataFrame([_candidate_rules(fits[fits["seed"].isin(lst)], rng) for lst in lists])
        best_k = max(gold_nmi, key=gold_nmi.get)
        for rule in choices.columns:
            counts = choices[rule].value_counts()
            modal = int(counts.index[0])
            rows.append({"set": name, "rule": rule, "modal_k": modal, "agreement": counts.iloc[0] / n_lists,
                         "choices": " ".join(f"{k}:{n}" for k, n in counts.sort_index().items()),
                         "nmi_gold_at_modal_k": gold_nmi[modal], "gold_best_k": best_k,
                         "nmi_gold_at_best_k": gold_nmi[best_k]})
        logging.getLogger("topics_multidistrict").warning("%s: gold NMI by K %s", name,
                                                          {k: round(v, 3) for k, v in gold_nmi.items()})
    return pd.DataFrame(rows)


def part_speed(frame, repeats: int = 3):
    rng = np.random.default_rng(0)
    districts = frame["doc_id"].drop_duplicates().sample(52, random_state=0).tolist()
    # 250 paragraphs over 52 districts: every district's report gets 4-5 paragraphs (resampled from the corpus)
    sizes = np.r_[np.full(42, 5), np.full(10, 4)]
    rows = []
    for doc, size in zip(districts, sizes):
        for j in range(size):
            rows.append({"doc_id": doc, "district": doc, "year": 2024, "para_id": j, "section_role": "achievements",
                         "text": frame["text"].iloc[int(rng.integers(len(frame)))]})
    from nlp.topics.result import TopicResult

    theta = rng.dirichlet(np.full(K, 0.3), size=len(rows))
    doc = pd.DataFrame(rows).drop(columns=["text"])
    columns = [f"T{k}" for k in range(K)]
    doc = pd.concat([doc, pd.DataFrame(theta, columns=columns)], axis=1)
    result = TopicResult("lda", "paragraph", pd.DataFrame(), doc, doc, columns, {}, pd.DataFrame(), {})
    out = []
    for repeat in range(repeats):
        start = time.perf_counter()
        comparison = result.compare_districts(n_boot=2000, n_perm=1000, min_group_size=1)
        out.append({"repeat": repeat, "paragraphs": len(doc), "districts": 52,
                    "pairs": len(comparison.divergence_tests), "seconds": time.perf_counter() - start})
    return pd.DataFrame(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", nargs="+", choices=PARTS, default=list(PARTS))
    parser.add_argument("--samples", type=int, default=3, help="random 250-paragraph samples")
    parser.add_argument("--states", type=int, default=5, help="random states per model (stability)")
    parser.add_argument("--seed-lists", type=int, default=4, help="K rule: seed lists of 5 seeds each")
    parser.add_argument("--sets", nargs="+", choices=EVIDENCE_SETS, default=list(EVIDENCE_SETS),
                        help="k_evidence: which corpora to sweep")
    parser.add_argument("--seeds", type=int, default=12, help="k_evidence: restarts per K")
    parser.add_argument("--k-min", type=int, default=3, choices=[2, 3],
                        help="k_stability: smallest K of the grid (3 as configs/topics_lda.yaml; 2 writes k_stability_k2.csv)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    out = results_dir() / "topics_multidistrict"
    out.mkdir(parents=True, exist_ok=True)
    frame, places = _corpus()
    samples = _samples(len(frame), args.samples)
    states = list(range(args.states))
    for part in args.part:
        if part == "defaults":
            table = part_defaults(frame, places, samples, states)
        elif part == "methods":
            table = part_methods(frame, places, samples, states)
        elif part == "k_rule":
            table = part_k_rule(frame, places, samples, args.seed_lists)
        elif part == "k_rule_summary":
            table = part_k_rule_summary()
        elif part == "k_evidence":
            table = part_k_evidence(frame, places, args.sets, args.seeds)
            out_name = "k_evidence/timing_" + "_".join(args.sets)
        elif part == "k_stability":
            table = part_k_stability(k_values=tuple(range(args.k_min, 11)))
            out_name = "k_stability" if args.k_min == 3 else f"k_stability_k{args.k_min}"
        else:
            table = part_speed(frame)
        table.to_csv(out / f"{out_name if part in ('k_evidence', 'k_stability') else part}.csv", index=False, float_format="%.4f")
        numeric = table.select_dtypes("number").columns.difference(["sample", "k", "repeat", "modal_k"])
        if part in ("defaults", "methods"):
            print(table.groupby("model", sort=False)[list(numeric)].mean().round(3).to_string())
        elif part == "k_rule":
            print(table.pivot_table(index=["sample", "seed_list"], columns="rule", values="k").to_string())
        elif part == "k_rule_summary":
            print(table.to_string(index=False))
        else:
            print(table.round(2).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
