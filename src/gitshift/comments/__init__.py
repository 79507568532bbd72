"""Pull request comment commands (README.md, "Pull request comment commands").

``events`` reads a forge's comment event, ``parse`` the strict command grammar
and who may run it, ``request`` turns a command into a shift, ``replies``
words the answer, ``handle`` answers one event end to end, and ``webhook``
receives events for forges whose CI cannot start on a comment.
"""
