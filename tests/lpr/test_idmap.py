import random

from lpr.idmap import IdMap


def test_idmap_agrees_with_a_dict_under_random_operations() -> None:
    rng = random.Random(3)
    ids, reference = IdMap(), {}
    for step in range(30_000):
        entry_id = rng.randrange(5_000) if rng.random() < 0.7 else 5_000 + step
        if rng.random() < 0.65:
            ids.set(entry_id, step)
            reference[entry_id] = step
        else:
            assert ids.pop(entry_id) == reference.pop(entry_id, None)
        if step % 997 == 0:
            assert all(ids.get(i) == reference.get(i) for i in range(0, 6_000, 7))
        assert len(ids) == len(reference)
    assert all(ids.get(i) == slot for i, slot in reference.items())
