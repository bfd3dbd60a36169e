package io.arborcast.gateway;

import java.io.ByteArrayOutputStream;
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

    /** {@code audio} with metadata blocks inserted where they are due, given the current title. */
    public byte[] interleave(byte[] audio, String title) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(audio.length + 64);
        int p = 0;
        while (p < audio.length) {
            int n = Math.min(audio.length - p, metaint - sinceLast);
            out.write(audio, p, n);
            p += n;
            sinceLast += n;
            if (sinceLast == metaint) {
                out.writeBytes(block(title));
                sinceLast = 0;
            }
        }
        return out.toByteArray();
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
