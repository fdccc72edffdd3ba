"""Background work on the Huey job engine: portfolio runs and scenario analyses.

``queue`` builds the Huey instance (a SQLite file by default, Redis when
``JOB_QUEUE_URL`` names one); ``tasks`` holds the tasks the workers execute;
``pieces`` fans a scenario analysis out into one task per solve; ``liveness`` keeps
each running job's heartbeat and fails the jobs whose worker died. Start workers with
``decision-support jobs worker`` (``decision-support serve`` starts one beside the
web server).
"""
