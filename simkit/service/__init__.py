"""The simkit service: the one program under JupyterHub that holds the evidence store's credentials.

Trainee kernels send what the trainee did; the service replays it through the engine, stores the
result as the hub user who sent it, and reads and writes only what that user's hub groups allow.
``server`` is the tornado application, ``operations`` what it can do and for whom, ``submissions``
how an attempt is replayed, timed (``timing``) and stored or spooled, ``client`` what the apps
use to talk to it, and ``wire`` the JSON both sides share. See docs/service.md.
"""
