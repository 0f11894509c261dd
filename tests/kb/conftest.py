from collections.abc import Iterator

import pytest

from egide.kb.search import forget_vocabularies


@pytest.fixture(autouse=True)
def _fresh_vocabulary() -> Iterator[None]:
    """Each test's index differs (rolled back): the process-wide vocabulary of typos must not carry over."""
    forget_vocabularies()
    yield
    forget_vocabularies()
