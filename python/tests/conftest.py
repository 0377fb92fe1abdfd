import sys
from pathlib import Path

from hypothesis import settings

# The reference parser and helpers live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))

# The machine is shared: a slow example is not a failure, a wrong one is.
settings.register_profile('shared', deadline=None)
settings.load_profile('shared')
