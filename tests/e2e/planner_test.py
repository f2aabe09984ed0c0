"""Shared by the end-to-end tests: run the real `planner` binary on a real
database in a temp folder."""
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import unittest

BIN = os.environ.get("PLANNER_BIN", "build/cli/planner")
SOURCE = os.environ.get("PLANNER_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES = os.path.join(SOURCE, "sample-events")


class PlannerTestCase(unittest.TestCase):
    """Each test gets its own folder and database file."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="planner-e2e-")
        self.db = os.path.join(self.dir, "planner.db")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def run_planner(self, *args, db=True, env=None, input=None):
        cmd = [BIN] + (["--db", self.db] if db else []) + [str(a) for a in args]
        full_env = dict(os.environ)
        full_env.pop("PLANNER_DB", None)
        if env:
            full_env.update(env)
        return subprocess.run(cmd, capture_output=True, text=True, env=full_env,
                              input=input, cwd=self.dir, timeout=120)

    def ok(self, *args, **kw):
        r = self.run_planner(*args, **kw)
        self.assertEqual(r.returncode, 0, f"planner {' '.join(map(str, args))}\n{r.stderr}")
        return r

    def sample(self, name):
        return os.path.join(SAMPLES, name)

    def load_sample(self, name):
        with open(self.sample(name)) as f:
            return json.load(f)

    def write(self, name, text, mode="w"):
        path = os.path.join(self.dir, name)
        with open(path, mode) as f:
            f.write(text)
        return path

    @staticmethod
    def digest(path):
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
