from nephos_common.migrations import run_env
from nephos_metering.db import Base
from nephos_metering.models import load_all

load_all()
run_env(Base.metadata)
