package io.arborcast.core;


/**
 * What a publisher says of its channel while it is live: a new name (empty: the name its
 * record was published with), a genre, a short description, a contact URL and a comment (each
 * may be empty). From the command line, {@code /admin/info}, or the source client's
 * {@code ice-genre}, {@code ice-description} and {@code ice-url} headers. The stream head
 * carries it to every listener; the directory listing carries all of it but the comment.
 */
public record ChannelInfo(String name, String genre, String description, String url, String comment) {
    public static final int MAX_COMMENT = 200;
    public static final ChannelInfo EMPTY = new ChannelInfo("", "", "", "", "");

    public ChannelInfo {
        name = clean("name", name, ChannelRecord.MAX_NAME);
        genre = clean("genre", genre, ChannelListing.MAX_GENRE);
        description = clean("description", description, ChannelListing.MAX_DESCRIPTION);
        url = clean("url", url, ChannelListing.MAX_URL);
        comment = clean("comment", comment, MAX_COMMENT);
    }

    /** Genre, description and URL only (the name stays the record's, no comment). */
    public static ChannelInfo of(String genre, String description, String url) {
        return new ChannelInfo("", genre, description, url, "");
    }

    private static String clean(String what, String value, int max) {
        String v = value == null ? "" : value.strip();
        if (v.length() > max) {
            throw new IllegalArgumentException("channel " + what + " is " + v.length() + " characters long; at most "
                    + max);
        }
        return v;
    }

    /**
     * What a source client or a remote stream says of itself in its headers ({@code header}
     * looks one up by its lower-case name, null if absent): Icecast's {@code ice-genre},
     * {@code ice-description}, {@code ice-url}, or SHOUTcast's {@code icy-} ones; values too
     * long for a listing are cut. The name stays the mount's.
     */
    public static ChannelInfo fromHeaders(java.util.function.Function<String, String> header) {
        return of(header(header, "genre", ChannelListing.MAX_GENRE),
                header(header, "description", ChannelListing.MAX_DESCRIPTION), header(header, "url", ChannelListing.MAX_URL));
    }

    private static String header(java.util.function.Function<String, String> header, String name, int max) {
        String v = header.apply("ice-" + name);
        if (v == null) {
            v = header.apply("icy-" + name);
        }
        v = v == null ? "" : v.strip();
        return v.length() > max ? v.substring(0, max) : v;
    }

    /** This info, with each empty field taken from {@code other}. */
    public ChannelInfo orElse(ChannelInfo other) {
        return new ChannelInfo(or(name, other.name), or(genre, other.genre), or(description, other.description),
                or(url, other.url), or(comment, other.comment));
    }

    private static String or(String mine, String theirs) {
        return mine.isEmpty() ? theirs : mine;
    }

    /** The channel's name: this info's, or {@code published} (its record's) if this says none. */
    public String nameOr(String published) {
        return name.isEmpty() ? published : name;
    }
}
