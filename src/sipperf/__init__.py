"""sipperf: a SIP traffic generator and test tool, a drop-in replacement for SIPp."""

__version__ = "0.1.0"
# The SIPp release whose behaviour sipperf reproduces ([sipp_version], -v banner).
SIPP_VERSION = "3.6.1"
