"""The WSGI app a live test server runs: test settings come from BANTIN_TEST_CONFIG."""

import ast
import os

from app import create_app

app = create_app(ast.literal_eval(os.environ["BANTIN_TEST_CONFIG"]))
