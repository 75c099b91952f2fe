/* libFuzzer target: the seccomp profile loader (docker's JSON format) on
 * arbitrary bytes.  Any crash, leak or undefined behaviour is a failure;
 * a refused profile is the expected outcome for most inputs. */
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "secfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iso_seccomp *s = NULL;
	struct iso_error err;

	/* half the inputs as a container with every capability, half with
	 * docker's, so that both sides of includes/excludes run */
	uint64_t caps = size % 2 ? iso_caps_all() : iso_caps_docker_default();

	if (iso_seccomp_from_json((const char *)data, size, "fuzz", caps, &s, &err) == 0)
		iso_seccomp_free(s);
	return 0;
}
