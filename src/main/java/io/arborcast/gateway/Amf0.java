package io.arborcast.gateway;

import io.arborcast.stream.MalformedStreamException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AMF0, the encoding of RTMP's commands and stream metadata, as Java values: numbers
 * ({@link Double}), booleans, strings, objects and ECMA arrays ({@link Map}), strict arrays
 * ({@link List}), dates (their milliseconds, a {@link Double}) and null (AMF's null and
 * undefined). Reading is bounded by the message it reads and nests at most {@link #MAX_DEPTH}
 * deep; anything else is a {@link MalformedStreamException}.
 */
final class Amf0 {
    static final int MAX_DEPTH = 16;
    private static final int NUMBER = 0, BOOLEAN = 1, STRING = 2, OBJECT = 3, NULL = 5, UNDEFINED = 6,
            ECMA_ARRAY = 8, OBJECT_END = 9, STRICT_ARRAY = 10, DATE = 11, LONG_STRING = 12;

    private Amf0() {
    }

    /** Reads the values of {@code b[from, to)} one after another. */
    static final class Reader {
        private final byte[] b;
        private final int end;
        private int p;

        Reader(byte[] b, int from, int to) {
            this.b = b;
            this.p = from;
            this.end = to;
        }

        boolean more() {
            return p < end;
        }

        /** Where the next value begins. */
        int position() {
            return p;
        }

        Object next() {
            return value(0);
        }

        private MalformedStreamException malformed(String why) {
            return new MalformedStreamException("malformed AMF0 at byte " + p + ": " + why);
        }

        private void need(long n) {
            if (n > end - p) {
                throw malformed("a value runs past the end of its message");
            }
        }

        private int u8() {
            need(1);
            return b[p++] & 0xff;
        }

        private int u16() {
            need(2);
            int v = (b[p] & 0xff) << 8 | b[p + 1] & 0xff;
            p += 2;
            return v;
        }

        private long u32() {
            need(4);
            long v = (long) (b[p] & 0xff) << 24 | (b[p + 1] & 0xff) << 16 | (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff;
            p += 4;
            return v;
        }

        private double number() {
            need(8);
            long bits = u32() << 32 | u32();
            return Double.longBitsToDouble(bits);
        }

        private String string(long length) {
            need(length);
            String s = new String(b, p, (int) length, StandardCharsets.UTF_8);
            p += (int) length;
            return s;
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw malformed("nested deeper than " + MAX_DEPTH);
            }
            int marker = u8();
            return switch (marker) {
                case NUMBER -> number();
                case BOOLEAN -> u8() != 0;
                case STRING -> string(u16());
                case LONG_STRING -> string(u32());
                case NULL, UNDEFINED -> null;
                case OBJECT -> properties(depth);
                case ECMA_ARRAY -> {
                    u32(); // a count, not to be trusted: the entries end with the end marker
                    yield properties(depth);
                }
                case STRICT_ARRAY -> {
                    long count = u32();
                    need(count); // every value takes at least its marker byte
                    List<Object> list = new ArrayList<>((int) count);
                    for (long i = 0; i < count; i++) {
                        list.add(value(depth + 1));
                    }
                    yield list;
                }
                case DATE -> {
                    double millis = number();
                    u16(); // time zone, unused by the format's writers
                    yield millis;
                }
                default -> throw malformed("type marker " + marker + " is not taken");
            };
        }

        private Map<String, Object> properties(int depth) {
            Map<String, Object> map = new LinkedHashMap<>();
            while (true) {
                String key = string(u16());
                if (key.isEmpty() && p < end && b[p] == OBJECT_END) {
                    p++;
                    return map;
                }
                map.put(key, value(depth + 1));
            }
        }
    }

    /** Writes values one after another. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer value(Object v) {
            if (v == null) {
                out.write(NULL);
            } else if (v instanceof Number n) {
                out.write(NUMBER);
                long bits = Double.doubleToLongBits(n.doubleValue());
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (bits >>> shift));
                }
            } else if (v instanceof Boolean bool) {
                out.write(BOOLEAN);
                out.write(bool ? 1 : 0);
            } else if (v instanceof String s) {
                out.write(STRING);
                key(s);
            } else if (v instanceof Map<?, ?> map) {
                out.write(OBJECT);
                map.forEach((k, value) -> key((String) k).value(value));
                out.write(0);
                out.write(0);
                out.write(OBJECT_END);
            } else {
                throw new IllegalArgumentException("no AMF0 writer for " + v.getClass());
            }
            return this;
        }

        private Writer key(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            if (bytes.length > 0xffff) {
                throw new IllegalArgumentException("an AMF0 string of " + bytes.length + " bytes");
            }
            out.write(bytes.length >> 8);
            out.write(bytes.length);
            out.writeBytes(bytes);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
