package io.arborcast.gateway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;

import java.nio.charset.StandardCharsets;

/**
 * ICY (SHOUTcast/Icecast) inline metadata for a listener that asked with {@code Icy-MetaData: 1}:
 * after every {@code metaint} bytes of audio, one block: a length byte (block length / 16)
 * and {@code StreamTitle='...';} padded with zeros, or a single zero byte when the title has
 * not changed since the last block.
 */
public final class IcyMetadata {
    /** Longest block: 255 x 16 bytes. */
    static final int MAX_BLOCK = 255 * 16;

    private final int metaint;
    private int sinceLast;
    private String sentTitle;

    public IcyMetadata(int metaint) {
        if (metaint < 1) {
            throw new IllegalArgumentException("metaint must be positive");
        }
        this.metaint = metaint;
    }

    /**
     * {@code audio}'s readable bytes with metadata blocks inserted where they are due, given the
     * current title: slices of {@code audio} (retained, not copied; the caller keeps its own
     * reference) and the blocks, as one buffer, direct if {@code audio} is.
     */
    public ByteBuf interleave(ByteBuf audio, String title, ByteBufAllocator alloc) {
        CompositeByteBuf out = alloc.compositeDirectBuffer(2 + 2 * (audio.readableBytes() / metaint));
        int p = audio.readerIndex();
        while (p < audio.writerIndex()) {
            int n = Math.min(audio.writerIndex() - p, metaint - sinceLast);
            out.addComponent(true, audio.retainedSlice(p, n));
            p += n;
            sinceLast += n;
            if (sinceLast == metaint) {
                byte[] b = block(title);
                out.addComponent(true, alloc.directBuffer(b.length).writeBytes(b));
                sinceLast = 0;
            }
        }
        return out;
    }

    private byte[] block(String title) {
        String t = title == null ? "" : title;
        if (t.equals(sentTitle)) {
            return new byte[] {0};
        }
        sentTitle = t;
        return encode(t);
    }

    /** One metadata block carrying {@code title} (apostrophes and semicolons would end it early: dropped). */
    static byte[] encode(String title) {
        String clean = title.replace("'", "").replace(";", ",");
        byte[] text = ("StreamTitle='" + clean + "';").getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, MAX_BLOCK);
        int blocks = (len + 15) / 16;
        byte[] b = new byte[1 + blocks * 16];
        b[0] = (byte) blocks;
        System.arraycopy(text, 0, b, 1, len);
        return b;
    }
}
