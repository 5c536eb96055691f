"""Control of a running sipperf: signals, the keyboard, the remote-control socket."""
