from nephos_asset.db import Base
from nephos_asset.models import load_all
from nephos_common.migrations import run_env

load_all()
run_env(Base.metadata)
