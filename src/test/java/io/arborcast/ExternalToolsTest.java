package io.arborcast;

import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExternalToolsTest {
    @Test
    void aMissingToolSkipsNamingItsPackageAndFailsUnderCi() {
        boolean ci = "true".equals(System.getenv("CI"));
        assertThatThrownBy(() -> ExternalTools.require("arborcast-no-such-tool", "no-such-package"))
                .isInstanceOf(ci ? IllegalStateException.class : TestAbortedException.class)
                .hasMessageContaining("arborcast-no-such-tool is not installed (apt-get install -y no-such-package)");
        assertThat(ExternalTools.onPath("sh")).isTrue();
    }
}
