"""``python -m models.jobs worker``: the job worker, as ``decision-support serve`` starts it."""

from models.jobs.commands import jobs

jobs(prog_name="python -m models.jobs")
