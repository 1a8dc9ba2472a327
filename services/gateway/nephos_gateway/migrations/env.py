from nephos_common.migrations import run_env
from nephos_gateway.db import Base

run_env(Base.metadata)
