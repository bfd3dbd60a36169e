package io.arborcast.core;


/**
 * What a publisher says of its channel in the directory beside its name: a genre, a short
 * description and a contact URL (each may be empty). From the command line, or from the
 * source client's {@code ice-genre}, {@code ice-description} and {@code ice-url} headers.
 */
public record ChannelInfo(String genre, String description, String url) {
    public static final ChannelInfo EMPTY = new ChannelInfo("", "", "");

    public ChannelInfo {
        genre = clean("genre", genre, ChannelListing.MAX_GENRE);
        description = clean("description", description, ChannelListing.MAX_DESCRIPTION);
        url = clean("url", url, ChannelListing.MAX_URL);
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
     * long for a listing are cut.
     */
    public static ChannelInfo fromHeaders(java.util.function.Function<String, String> header) {
        return new ChannelInfo(header(header, "genre", ChannelListing.MAX_GENRE),
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
        return new ChannelInfo(genre.isEmpty() ? other.genre : genre,
                description.isEmpty() ? other.description : description, url.isEmpty() ? other.url : url);
    }
}
