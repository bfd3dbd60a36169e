package io.arborcast.cli;

import io.arborcast.core.ChannelListing;

import java.util.List;

/** How {@code channels} prints the directory for people (for programs: {@code --json}, see DirectoryJson). */
final class DirectoryTable {
    private DirectoryTable() {
    }

    /** One line per channel under a header: name, genre, listeners, bitrate, uptime, id. */
    static String text(List<ChannelListing> listings, long nowMillis) {
        if (listings.isEmpty()) {
            return "no live channels listed\n";
        }
        int name = "NAME".length();
        int genre = "GENRE".length();
        for (ChannelListing l : listings) {
            name = Math.max(name, l.name().length());
            genre = Math.max(genre, l.genre().length());
        }
        String row = "%-" + name + "s  %-" + genre + "s  %9s  %6s  %8s  %s%n";
        StringBuilder out = new StringBuilder(String.format(row, "NAME", "GENRE", "LISTENERS", "KBIT/S", "UPTIME",
                "ID"));
        for (ChannelListing l : listings) {
            out.append(String.format(row, l.name(), l.genre(), l.listeners(), l.bitrateKbps(),
                    uptime(nowMillis - l.startedAtMillis()), l.channelId().toHex()));
        }
        return out.toString();
    }

    /** {@code 3d 4h}, {@code 2h 05m}, {@code 7m}: how long a channel has been on. */
    static String uptime(long millis) {
        long minutes = Math.max(0, millis) / 60_000;
        long hours = minutes / 60;
        if (hours >= 24) {
            return hours / 24 + "d " + hours % 24 + "h";
        }
        return hours > 0 ? String.format("%dh %02dm", hours, minutes % 60) : minutes + "m";
    }
}
