/** The {@code arborcast} command line (picocli). */
package io.arborcast.cli;
