"""Builds deepbach._core with CMake for pip (see pyproject.toml).

The extension is built from the repository two folders up: CMake configures
the root project with only the core library and the Python module
(-DDEEPBACH_BUILD_CLI=OFF, tests, benchmarks and examples off) for the Python
running pip, builds the target deepbach_python, and the module it made is
copied into the wheel. Environment variables:

- DEEPBACH_WITH_TORCH=OFF: leave LibTorch out (no deepbach.train, no 'torch'
  backend) even where it is installed; ON (the default) uses it when found.
- CMAKE_ARGS: more arguments for CMake's configure step (e.g.
  "-DCMAKE_PREFIX_PATH=/opt/libtorch").
- DEEPBACH_BUILD_DIR: the CMake build folder (default: under setuptools'
  build/ folder here, kept between installs).
- CMAKE_BUILD_PARALLEL_LEVEL: build jobs (default: the number of cores).
"""

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def project_version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    match = re.search(r"project\(deepbach\s+VERSION\s+([0-9][0-9.]*)", text)
    return match.group(1) if match else "0.0.0"


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        if not (ROOT / "CMakeLists.txt").is_file() or not (ROOT / "libdeepbach").is_dir():
            raise RuntimeError(
                f"deepbach: the libdeepbach sources are not at {ROOT}; install from a checkout "
                "(pip install --no-build-isolation ./bindings/python)"
            )
        if shutil.which("cmake") is None:
            raise RuntimeError("deepbach: cmake is needed to build the module (Debian: apt-get install cmake)")
        build_dir = Path(os.environ.get("DEEPBACH_BUILD_DIR") or Path(self.build_temp).resolve() / "cmake")
        build_dir.mkdir(parents=True, exist_ok=True)
        configure = [
            "cmake",
            "-S",
            str(ROOT),
            "-B",
            str(build_dir),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DPython_EXECUTABLE={sys.executable}",
            "-DDEEPBACH_BUILD_PYTHON=ON",
            "-DDEEPBACH_BUILD_CLI=OFF",
            "-DDEEPBACH_BUILD_TESTS=OFF",
            "-DDEEPBACH_BUILD_BENCH=OFF",
            "-DDEEPBACH_BUILD_EXAMPLES=OFF",
            "-DDEEPBACH_INSTALL=OFF",
        ]
        if os.environ.get("DEEPBACH_WITH_TORCH"):
            configure.append(f"-DDEEPBACH_WITH_TORCH={os.environ['DEEPBACH_WITH_TORCH']}")
        configure += shlex.split(os.environ.get("CMAKE_ARGS", ""))
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 2)
        subprocess.check_call(configure)
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "deepbach_python", "-j", jobs])

        package = build_dir / "python" / "deepbach"
        built = sorted(package.glob("_core*.so")) + sorted(package.glob("_core*.pyd"))
        if not built:
            raise RuntimeError(
                f"deepbach: CMake built no module in {package}: are Python's headers (python3-dev) "
                "and pybind11 (pybind11-dev) installed? See the CMake output above."
            )
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(
    version=project_version(),
    ext_modules=[CMakeExtension("deepbach._core")],
    cmdclass={"build_ext": CMakeBuild},
    zip_safe=False,
)
