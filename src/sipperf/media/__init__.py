"""RTP media: the media ports, echo, pcap playback and rtp_stream."""
