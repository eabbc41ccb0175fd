#!/bin/sh
# 离线安装：在没有网络的服务器上，从本目录的 wheels/ 安装巡察整改管理系统到一个新的虚拟环境。
#   sudo ./install.sh [/opt/zhenggai/venv]
# 需要 Python 3.11（python3.11 -m venv 可用）。之后的配置、部署见 docs/运维手册.md。
set -eu
here=$(cd "$(dirname "$0")" && pwd)
prefix=${1:-/opt/zhenggai/venv}
python=${PYTHON:-python3.11}
# Only the bundle's wheels: no index, no local pip configuration, no constraints from this machine.
export PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1
unset PIP_FIND_LINKS PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CONSTRAINT PIP_REQUIREMENT 2>/dev/null || true
"$python" -m venv "$prefix"
"$prefix/bin/python" -m pip install --quiet --no-index --find-links "$here/wheels" "zhenggai[s3]"
echo "已安装到 $prefix：$("$prefix/bin/python" -c 'from importlib.metadata import version; print("zhenggai", version("zhenggai"))')"
echo "下一步：配置 /etc/zhenggai/zhenggai.env（样例 deploy/zhenggai.env），然后 zhenggai migrate（见 docs/运维手册.md）。"
