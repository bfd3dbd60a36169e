package io.arborcast.stream;

/**
 * MPEG transport streams ({@code video/mp2t}): 188-byte packets, each starting with the sync
 * byte 0x47. The stream head is the packets up to the first PMT (with the PAT before it, and
 * whatever tables the muxer writes first); after it the splitter cuts on packet boundaries and
 * always right before a packet that starts a video keyframe (a PES start on the video PID with
 * the random-access indicator set, as ffmpeg and OBS write them), so every keyframe begins a
 * chunk; {@link #decodableStart} tells such a chunk. The video PID comes from the PMT (PAT →
 * PMT → the first video stream), learnt from the tables the muxer repeats.
 */
public final class MpegTs implements FrameSplitter {
    static final int PACKET = 188;
    private static final int SYNC = 0x47;
    private static final int PAT_PID = 0;

    /** The PMT's PID and the video stream's, as learnt from the tables seen so far (-1: none yet). */
    private int pmtPid = -1;
    private int videoPid = -1;

    /** Whether a content type is a transport stream's. */
    public static boolean isTransportStream(String contentType) {
        return contentType.contains("mp2t") || contentType.contains("mpegts") || contentType.contains("mpeg-ts");
    }

    private static MalformedStreamException malformed(String why, int at) {
        return new MalformedStreamException("malformed MPEG-TS at byte " + at + " of the pending input: " + why);
    }

    @Override
    public int completeLength(byte[] buf, int len) {
        int p = 0;
        while (p + PACKET <= len) {
            check(buf, p);
            learn(buf, p);
            if (p > 0 && startsKeyframe(buf, p, videoPid)) {
                return p; // a keyframe begins a chunk
            }
            p += PACKET;
        }
        if (p < len && (buf[p] & 0xff) != SYNC) {
            throw malformed("lost packet sync", p);
        }
        return p;
    }

    /** The stream head at the start of {@code buf[0, len)}: through the first PMT; 0 if no TS, -1 if more are needed. */
    public static int headLength(byte[] buf, int len) {
        if (len < 1) {
            return -1;
        }
        if ((buf[0] & 0xff) != SYNC) {
            return 0;
        }
        MpegTs tables = new MpegTs();
        for (int p = 0; p + PACKET <= len; p += PACKET) {
            tables.check(buf, p);
            boolean pmt = tables.pmtPid >= 0 && pid(buf, p) == tables.pmtPid;
            tables.learn(buf, p);
            if (pmt && tables.videoPid != -1) {
                return p + PACKET;
            }
            if (p + PACKET > StreamHeads.MAX_HEAD_BYTES) {
                throw malformed("no PAT and PMT within the first " + StreamHeads.MAX_HEAD_BYTES + " bytes", p);
            }
        }
        return -1;
    }

    /** The video PID the tables in {@code head} name, -2 if they name only other streams, -1 if none are there. */
    public static int videoPid(byte[] head) {
        MpegTs tables = new MpegTs();
        try {
            for (int p = 0; p + PACKET <= head.length; p += PACKET) {
                tables.check(head, p);
                tables.learn(head, p);
            }
        } catch (MalformedStreamException e) {
            return -1;
        }
        return tables.videoPid;
    }

    /**
     * Whether a player may start with {@code chunk}: a keyframe of the video stream on
     * {@code videoPid} begins it (-2, a stream with no video: any chunk; -1, unknown: none).
     */
    public static boolean decodableStart(byte[] chunk, int videoPid) {
        if (videoPid == -2) {
            return chunk.length >= PACKET;
        }
        return chunk.length >= PACKET && (chunk[0] & 0xff) == SYNC && startsKeyframe(chunk, 0, videoPid);
    }

    private void check(byte[] b, int p) {
        if ((b[p] & 0xff) != SYNC) {
            throw malformed("lost packet sync", p);
        }
        if ((b[p + 3] & 0x30) == 0) {
            throw malformed("reserved adaptation field control", p);
        }
        if ((b[p + 3] & 0x20) != 0 && (b[p + 4] & 0xff) > PACKET - 5) {
            throw malformed("adaptation field longer than the packet", p);
        }
    }

    private static int pid(byte[] b, int p) {
        return (b[p + 1] & 0x1f) << 8 | b[p + 2] & 0xff;
    }

    private static boolean unitStart(byte[] b, int p) {
        return (b[p + 1] & 0x40) != 0;
    }

    /** Offset of the packet's payload, or -1 if it has none. */
    private static int payload(byte[] b, int p) {
        int control = (b[p + 3] >> 4) & 3;
        if ((control & 1) == 0) {
            return -1;
        }
        int at = p + 4 + ((control & 2) != 0 ? 1 + (b[p + 4] & 0xff) : 0);
        return at < p + PACKET ? at : -1;
    }

    private static boolean startsKeyframe(byte[] b, int p, int videoPid) {
        return videoPid >= 0 && pid(b, p) == videoPid && unitStart(b, p) && (b[p + 3] & 0x20) != 0
                && (b[p + 4] & 0xff) > 0 && (b[p + 5] & 0x40) != 0;
    }

    /** Learns the PMT's PID from a PAT, and the video PID from the PMT (sections that fit one packet). */
    private void learn(byte[] b, int p) {
        int pid = pid(b, p);
        if (!unitStart(b, p) || pid != PAT_PID && pid != pmtPid) {
            return;
        }
        int at = payload(b, p);
        if (at < 0) {
            return;
        }
        int s = at + 1 + (b[at] & 0xff); // the pointer field: where the section starts
        int end = p + PACKET;
        if (s + 3 > end) {
            return;
        }
        int sectionEnd = Math.min(end, s + 3 + ((b[s + 1] & 0x0f) << 8 | b[s + 2] & 0xff)) - 4; // less the CRC
        if (pid == PAT_PID && (b[s] & 0xff) == 0x00) {
            for (int e = s + 8; e + 4 <= sectionEnd; e += 4) {
                if (((b[e] & 0xff) << 8 | b[e + 1] & 0xff) != 0) { // program 0 names the network PID
                    pmtPid = (b[e + 2] & 0x1f) << 8 | b[e + 3] & 0xff;
                    return;
                }
            }
        } else if (pid == pmtPid && (b[s] & 0xff) == 0x02 && s + 12 <= sectionEnd) {
            int e = s + 12 + ((b[s + 10] & 0x0f) << 8 | b[s + 11] & 0xff);
            int video = -2;
            while (e + 5 <= sectionEnd) {
                if (isVideo(b[e] & 0xff)) {
                    video = (b[e + 1] & 0x1f) << 8 | b[e + 2] & 0xff;
                    break;
                }
                e += 5 + ((b[e + 3] & 0x0f) << 8 | b[e + 4] & 0xff);
            }
            videoPid = video;
        }
    }

    /** MPEG-1/2 video, MPEG-4 part 2, H.264, HEVC, VVC. */
    private static boolean isVideo(int streamType) {
        return streamType == 0x01 || streamType == 0x02 || streamType == 0x10 || streamType == 0x1b
                || streamType == 0x24 || streamType == 0x33;
    }
}
