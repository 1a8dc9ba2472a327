from nephos_common.migrations import run_env
from nephos_metering.db import Base

run_env(Base.metadata)
