"""Timeouts for the fault tests, with room for a loaded machine.

A sandbox's "slow" fault answers after SLOW_S; the client gives up reading after READ_TIMEOUT_S. A
normal answer on 127.0.0.1 takes milliseconds, but on a shared CI machine with both cores busy it can
take a few hundred: a read timeout of 0.2 s then turned ordinary answers into timeouts and the tests'
retry counts wrong. Both are far apart from each other and from a normal answer, so only the fault
times out, however loaded the machine is.
"""

READ_TIMEOUT_S = 1.0
SLOW_S = 3.0
