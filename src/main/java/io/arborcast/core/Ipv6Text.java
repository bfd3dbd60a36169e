package io.arborcast.core;

/** RFC 5952 text of IPv6 literals, without name resolution (the protocol thread never does DNS). */
final class Ipv6Text {
    private Ipv6Text() {
    }

    /**
     * The canonical text of {@code text} (see {@link PeerAddress#canonicalHost}); {@code text}
     * itself if it is no IPv6 literal. A zone ({@code %eth0}) is kept as it is.
     */
    static String canonical(String text) {
        int zoneAt = text.indexOf('%');
        String zone = zoneAt < 0 ? "" : text.substring(zoneAt);
        int[] g = groups(zoneAt < 0 ? text : text.substring(0, zoneAt));
        if (g == null) {
            return text;
        }
        if (zone.isEmpty() && g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
            return (g[6] >> 8) + "." + (g[6] & 0xff) + "." + (g[7] >> 8) + "." + (g[7] & 0xff);
        }
        int bestAt = -1;
        int bestLen = 1; // a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestAt = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder b = new StringBuilder(39 + zone.length());
        for (int i = 0; i < 8; i++) {
            if (i == bestAt) {
                b.append("::");
                i += bestLen - 1;
                continue;
            }
            if (b.length() > 0 && b.charAt(b.length() - 1) != ':') {
                b.append(':');
            }
            b.append(Integer.toHexString(g[i]));
        }
        return b.append(zone).toString();
    }

    /** The eight 16-bit groups of an IPv6 literal (an IPv4 tail allowed), or null. */
    private static int[] groups(String s) {
        int[] out = new int[8];
        int dbl = s.indexOf("::");
        if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) {
            return null;
        }
        String head = dbl < 0 ? s : s.substring(0, dbl);
        String tail = dbl < 0 ? "" : s.substring(dbl + 2);
        int[] h = parts(head);
        int[] t = parts(tail);
        if (h == null || t == null || (dbl < 0 ? h.length != 8 : h.length + t.length > 7)) {
            return null;
        }
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(t, 0, out, 8 - t.length, t.length);
        return out;
    }

    /** Colon-separated groups (the last may be dotted IPv4, two groups); null if malformed. */
    private static int[] parts(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] p = s.split(":", -1);
        boolean v4 = p[p.length - 1].indexOf('.') >= 0;
        int[] out = new int[p.length + (v4 ? 1 : 0)];
        for (int i = 0; i < p.length; i++) {
            if (v4 && i == p.length - 1) {
                int[] o = AddressScope.ipv4Octets(p[i]);
                if (o == null) {
                    return null;
                }
                out[i] = o[0] << 8 | o[1];
                out[i + 1] = o[2] << 8 | o[3];
            } else {
                if (p[i].isEmpty() || p[i].length() > 4) {
                    return null;
                }
                try {
                    out[i] = Integer.parseInt(p[i], 16);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
        return out;
    }
}
