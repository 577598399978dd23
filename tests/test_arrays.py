"""``harness.arrays.sorted_distinct`` gives what ``np.unique`` gives, by a sort."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from harness.arrays import sorted_distinct

_INTEGER_DTYPES = (np.int64, np.uint64, np.int32, np.uint32)


def _integer_arrays(dtype: type) -> st.SearchStrategy[np.ndarray]:
    # few distinct values (many repeats) as well as any value of the type, its extremes too
    elements = st.one_of(st.integers(0, 7), hnp.from_dtype(np.dtype(dtype)))
    return hnp.arrays(dtype=dtype, shape=st.integers(0, 300), elements=elements)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_INTEGER_DTYPES).flatmap(_integer_arrays))
def test_sorted_distinct_is_np_unique(values: np.ndarray) -> None:
    before = values.copy()
    found = sorted_distinct(values)
    expected = np.unique(values)
    assert found.dtype == expected.dtype == values.dtype
    assert found.tolist() == expected.tolist()
    assert np.array_equal(values, before)  # the input is left as it was


@pytest.mark.parametrize("dtype", [np.uint64, np.int64])
def test_sorted_distinct_at_the_ends_of_64_bits(dtype: type) -> None:
    info = np.iinfo(dtype)
    values = np.array([info.max, info.min, 0, info.max, 1, info.min, info.max - 1], dtype=dtype)
    assert sorted_distinct(values).tolist() == sorted({int(v) for v in values.tolist()})
    assert sorted_distinct(np.empty(0, dtype=dtype)).dtype == dtype
    assert sorted_distinct(np.array([5], dtype=dtype)).tolist() == [5]


def test_sorted_distinct_of_pair_keys_as_discovery_makes_them() -> None:
    rng = np.random.default_rng(7)
    keys = rng.integers(0, 2**64 - 1, 20_000, dtype=np.uint64, endpoint=True)
    repeated = np.concatenate([keys, keys[::3], keys[5:900]])
    rng.shuffle(repeated)
    found = sorted_distinct(repeated)
    assert found.size == np.unique(keys).size
    assert np.array_equal(found, np.unique(repeated))
    assert bool(np.all(found[1:] > found[:-1]))
