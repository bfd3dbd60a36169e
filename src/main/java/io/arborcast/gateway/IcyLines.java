package io.arborcast.gateway;

import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Header lines as ICY servers and SHOUTcast sources write them, CRLF or a bare LF: what
 * Netty's HTTP codecs do not take (ICY's "ICY 200 OK" status line, SHOUTcast's password line).
 */
final class IcyLines {
    private IcyLines() {
    }

    /**
     * The next line of {@code in} without its CR/LF (ISO-8859-1), or null until it is complete;
     * fails once more than {@code max} bytes came without a line end ({@code from}: who sent them).
     */
    static String next(ByteBuf in, int max, String from) throws IOException {
        int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() > max) {
                throw new IOException(from + " sent a header line longer than " + max + " bytes");
            }
            return null;
        }
        String line = in.readCharSequence(lf - in.readerIndex(), StandardCharsets.ISO_8859_1).toString();
        in.skipBytes(1);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }
}
