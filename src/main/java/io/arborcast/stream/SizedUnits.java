package io.arborcast.stream;

/**
 * A splitter of a container whose units (Matroska elements, FLV tags) say their own sizes and
 * may be larger than a chunk (a video keyframe): the chunker then cuts one where the chunk is
 * full ({@link #consumed} tells how far), and the next bytes are the rest of it, passed on until
 * the unit ends, where cutting on unit boundaries goes on.
 */
abstract class SizedUnits implements FrameSplitter {
    /** Bytes still to come of a unit larger than a chunk, cut where the chunk was full. */
    private long inside;
    /** Of the last {@link #completeLength}: the prefix it returned, and where the unit after it ends (-1: unknown). */
    private int lastComplete;
    private long lastPartialEnd = -1;

    /**
     * Where the last complete unit from {@code from} on in {@code buf[0, len)} ends (or where a
     * chunk must begin before it); calls {@link #partial} with the end of the unit after it, if
     * its header is there.
     *
     * @throws MalformedStreamException for bytes no muxer of the format writes
     */
    abstract int cut(byte[] buf, int from, int len);

    /** The unit after what {@link #cut} returns ends at {@code end} (beyond the bytes given). */
    final void partial(long end) {
        lastPartialEnd = end;
    }

    @Override
    public final int completeLength(byte[] buf, int len) {
        lastPartialEnd = -1;
        if (inside > len) {
            lastComplete = 0;
            lastPartialEnd = inside;
            return 0;
        }
        lastComplete = cut(buf, (int) inside, len);
        return lastComplete;
    }

    @Override
    public final void consumed(int n) {
        if (n <= lastComplete) {
            inside = 0;
        } else if (lastPartialEnd < 0) {
            throw new IllegalStateException("cut inside a unit whose header is not complete");
        } else {
            inside = lastPartialEnd - n;
        }
        passed(n);
    }

    /** The first {@code n} bytes {@link #cut} last looked at went out in a chunk. */
    void passed(int n) {
    }

    @Override
    public final void reset() {
        inside = 0;
    }
}
