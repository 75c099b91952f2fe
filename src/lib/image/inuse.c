#include "inuse.h"

#include <string.h>
#include <unistd.h>

#include "state.h"
#include "util.h"

struct collect {
	char **records;
	char **ids;
};

static void collect_one(const char *id, void *ctx)
{
	struct collect *c = ctx;
	char *record = iso_state_read(id, "image");

	if (record == NULL)
		return;
	record[strcspn(record, "\n")] = '\0';
	strv_push_owned(&c->records, record);
	strv_push(&c->ids, id);
}

int iso_images_in_use(char ***records, char ***ids, struct iso_error *err)
{
	struct collect c = { xcalloc(1, sizeof(char *)), xcalloc(1, sizeof(char *)) };
	int lock = iso_state_lock(err);

	if (lock < 0) {
		strv_free(c.records);
		strv_free(c.ids);
		return -1;
	}
	iso_state_for_each_running(collect_one, &c);
	close(lock);
	*records = c.records;
	if (ids)
		*ids = c.ids;
	else
		strv_free(c.ids);
	return 0;
}
