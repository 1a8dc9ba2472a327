from nephos_common.migrations import run_env
from nephos_monitoring.db import Base
from nephos_monitoring.models import load_all

load_all()

run_env(Base.metadata)
