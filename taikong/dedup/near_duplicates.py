"""Near-duplicate documents by MinHash over word shingles, with LSH banding.

map: `minhash_signatures` per shard. reduce: `near_duplicate_clusters` over all
signatures. Candidate pairs come from LSH buckets, and each bucket member is compared
with the bucket's first member only (a star, not all pairs), so the work grows
linearly with the number of documents.

Only "body-like" lines (10+ words) feed the shingles: site headers, menus and footers
are short lines, and leaving them out lets the same article re-published under
another site's furniture still match.
"""

from __future__ import annotations

import polars as pl

NEAR_DUP_VERSION = "minhash_v2"
NUM_PERM = 64
BANDS = 16  # 16 bands x 4 rows: a pair at Jaccard 0.8 becomes a candidate with p > 0.999
ROWS = NUM_PERM // BANDS
SHINGLE_WORDS = 5
MIN_SHINGLES = 8
DEFAULT_THRESHOLD = 0.8
BODY_MIN_WORDS = 10


def minhash_signatures(lines: pl.DataFrame, docs: pl.DataFrame) -> pl.DataFrame:
    """One row per document with enough body text: doc_id, source_path, sig (list[u64])."""
    # Documents are numbered by run of doc_id below: their lines must be contiguous.
    body = lines.filter(pl.col("n_words") >= BODY_MIN_WORDS).sort("doc_id", "line_no")
    # Memory follows the number of words: each is kept as a document number and a
    # 64-bit hash, and a shingle is the hash of its words' hashes (no shingle strings).
    words = (
        body.select(
            (pl.col("doc_id") != pl.col("doc_id").shift(1)).fill_null(True).cum_sum().alias("doc"),
            pl.col("text")
            .str.to_lowercase()
            .str.replace_all(r"[^\w\s]", "")
            .str.split(" ")
            .alias("word"),
        )
        .explode("word")
        .filter(pl.col("word").str.len_chars() > 0)
        .select("doc", pl.col("word").hash(seed=0).alias("w"))
    )
    # Shift the whole column (cheap) and drop shingles that would run into the next
    # document; each position hashes with its own seed, so word order counts.
    shingle = pl.col("w").hash(seed=11)
    for k in range(1, SHINGLE_WORDS):
        shingle = shingle ^ pl.col("w").shift(-k).hash(seed=11 + k)
    last = SHINGLE_WORDS - 1
    hashed = words.select("doc", shingle.alias("h")).filter(
        pl.col("doc").shift(-last) == pl.col("doc")
    )
    sigs = hashed.group_by("doc").agg(
        pl.len().alias("n_shingles"),
        *[pl.col("h").hash(seed=i + 1).min().alias(f"m{i}") for i in range(NUM_PERM)],
    )
    doc_ids = body.select(
        pl.col("doc_id").unique(maintain_order=True),
    ).with_row_index("doc", offset=1)
    sigs = (
        sigs.filter(pl.col("n_shingles") >= MIN_SHINGLES)
        .join(doc_ids.with_columns(pl.col("doc").cast(sigs["doc"].dtype)), on="doc")
        .sort("doc")
        .select("doc_id", pl.concat_list([f"m{i}" for i in range(NUM_PERM)]).alias("sig"))
    )
    return sigs.join(
        docs.select("doc_id", "source_path"), on="doc_id", how="left", maintain_order="left"
    )


def near_duplicate_clusters(
    signatures: pl.DataFrame, threshold: float = DEFAULT_THRESHOLD
) -> pl.DataFrame:
    """Map each document of a near-duplicate group to its representative.

    Returns doc_id, cluster_id (the representative's doc_id, for every document,
    including singletons), near_duplicate_of (null for representatives) and
    near_duplicate_similarity (estimated Jaccard with the representative).
    The representative is the member with the smallest source_path.
    """
    if signatures.height == 0:
        return pl.DataFrame(
            schema={
                "doc_id": pl.String,
                "cluster_id": pl.String,
                "near_duplicate_of": pl.String,
                "near_duplicate_similarity": pl.Float64,
            }
        )
    ordered = signatures.sort("source_path")
    bands = ordered.select(
        "doc_id",
        *[
            pl.col("sig").list.slice(b * ROWS, ROWS).hash(seed=b).alias(f"b{b}")
            for b in range(BANDS)
        ],
    ).unpivot(index="doc_id", variable_name="band", value_name="bucket")
    # Star edges: each bucket member -> the bucket's first member in source order.
    edges = (
        bands.with_columns(pl.col("doc_id").first().over("band", "bucket").alias("anchor"))
        .filter(pl.col("doc_id") != pl.col("anchor"))
        .select("doc_id", "anchor")
        .unique()
    )
    sig_of = ordered.select("doc_id", "sig")
    edges = edges.join(sig_of, on="doc_id").join(
        sig_of.rename({"doc_id": "anchor", "sig": "anchor_sig"}), on="anchor"
    )
    sims = _estimated_jaccard(edges)
    verified = sims.filter(pl.col("similarity") >= threshold)

    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    order = {d: i for i, d in enumerate(ordered["doc_id"].to_list())}
    for a, b in verified.select("doc_id", "anchor").iter_rows():
        ra, rb = find(a), find(b)
        if ra != rb:
            # Keep the earliest document in source order as the root.
            keep, drop = (ra, rb) if order[ra] < order[rb] else (rb, ra)
            parent[drop] = keep
    clusters = pl.DataFrame(
        {
            "doc_id": ordered["doc_id"],
            "cluster_id": [find(d) for d in ordered["doc_id"].to_list()],
        }
    )
    member_sim = _estimated_jaccard(
        clusters.filter(pl.col("doc_id") != pl.col("cluster_id"))
        .rename({"cluster_id": "anchor"})
        .join(sig_of, on="doc_id")
        .join(sig_of.rename({"doc_id": "anchor", "sig": "anchor_sig"}), on="anchor")
    ).select("doc_id", pl.col("similarity").alias("near_duplicate_similarity"))
    return (
        clusters.join(member_sim, on="doc_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("doc_id") != pl.col("cluster_id"))
            .then(pl.col("cluster_id"))
            .alias("near_duplicate_of")
        )
        .select("doc_id", "cluster_id", "near_duplicate_of", "near_duplicate_similarity")
    )


def _estimated_jaccard(pairs: pl.DataFrame) -> pl.DataFrame:
    """Share of equal MinHash values between `sig` and `anchor_sig`, per row."""
    if pairs.height == 0:
        return pairs.with_columns(pl.lit(None, dtype=pl.Float64).alias("similarity"))
    return pairs.with_row_index("_pair").pipe(
        lambda df: df.join(
            df.select("_pair", "sig", "anchor_sig")
            .explode("sig", "anchor_sig")
            .group_by("_pair")
            .agg((pl.col("sig") == pl.col("anchor_sig")).mean().alias("similarity")),
            on="_pair",
        ).drop("_pair")
    )
