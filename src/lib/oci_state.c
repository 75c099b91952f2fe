/* isolate-oci's state directory: ROOT/ID/state.json, its lock, and the
 * status worked out from the first process and the exec fifo. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "jsonutil.h"
#include "oci.h"
#include "oci_int.h"
#include "ocistatus.h"
#include "state.h"
#include "util.h"

const char *iso_oci_status_name(enum iso_oci_status s)
{
	static const char *const names[] = { "creating", "created", "running", "paused", "stopped" };

	return names[s];
}

const char *iso_oci_default_root(void)
{
	static char root[4096];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0 || xdg == NULL || xdg[0] != '/')
		return "/run/isolate-oci";
	snprintf(root, sizeof(root), "%s/isolate-oci", xdg);
	return root;
}

int iso_oci_check_id(const char *id, struct iso_error *err)
{
	size_t len = strlen(id);

	if (len == 0 || len > 1024 || id[0] == '.')
		goto bad;
	for (const char *p = id; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && strchr("_+-.", *p) == NULL)
			goto bad;
	return 0;
bad:
	return iso_error_set(err, 0, "invalid container id %s: letters, digits, '_', '+', '-' and '.' "
			     "only, not starting with '.'", id);
}

/* Alive, the same process (its start time), and not a zombie. */
static bool process_alive(pid_t pid, unsigned long long start)
{
	struct iso_owner o = { .pid = pid, .start = start };
	char path[64], buf[512];
	cleanup_close int fd = -1;
	ssize_t n;
	char *p;

	if (pid <= 0 || !iso_owner_alive(&o))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		return false;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
}

bool iso_oci_alive(const struct iso_oci_container *c)
{
	return process_alive(c->pid, c->pid_start);
}

static enum iso_oci_status work_out_status(const struct iso_oci_container *c)
{
	struct iso_cgroup cg;
	struct iso_error ignored;
	bool frozen = false;

	if (c->pid == 0 && !c->setup_done)
		return ISO_OCI_CREATING;
	if (!process_alive(c->pid, c->pid_start))
		return ISO_OCI_STOPPED;
	if (!c->setup_done)
		return ISO_OCI_CREATING;
	/* a created container may be paused too (and resumed to created) */
	if (c->cgroup_record != NULL &&
	    iso_cgroup_open_record(&cg, c->cgroup_record, c->cgroup_name, &ignored) == 0) {
		frozen = iso_cgroup_frozen(&cg);
		iso_cgroup_close(&cg);
	}
	if (frozen)
		return ISO_OCI_PAUSED;
	if (faccessat(c->dirfd, "exec.fifo", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return ISO_OCI_CREATED;
	return ISO_OCI_RUNNING;
}

static char *get_string(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? xstrdup(s) : NULL;
}

static int parse_state(struct iso_oci_container *c, const char *text, const char *path,
		       struct iso_error *err)
{
	json_error_t jerr;
	cleanup_json json_t *o = json_loads(text, 0, &jerr);
	json_t *ann;

	if (o == NULL || !json_is_object(o))
		return iso_error_set(err, 0, "%s:%d:%d: %s", path, jerr.line, jerr.column,
				     o ? "not an object" : jerr.text);
	c->bundle = get_string(o, "bundle");
	c->rootfs = get_string(o, "rootfs");
	c->created = get_string(o, "created");
	c->owner = get_string(o, "owner");
	c->oci_version = get_string(o, "ociVersion");
	c->cgroup_record = get_string(o, "cgroup");
	c->cgroup_name = get_string(o, "cgroupName");
	c->pid = (pid_t)json_integer_value(json_object_get(o, "pid"));
	c->pid_start = (unsigned long long)json_integer_value(json_object_get(o, "pidStart"));
	c->setup_done = json_is_true(json_object_get(o, "setupDone"));
	c->cgroup_made = json_is_true(json_object_get(o, "cgroupMade"));
	ann = json_object_get(o, "annotations");
	if (json_is_object(ann))
		c->annotations_json = json_dumps(ann, JSON_COMPACT);
	return 0;
}

int iso_oci_load(const char *root, const char *id, int lock,
		 struct iso_oci_container *c, struct iso_error *err)
{
	cleanup_free char *dir = NULL;
	cleanup_free char *text = NULL;
	struct stat st;

	*c = (struct iso_oci_container){ .dirfd = -1 };
	if (iso_oci_check_id(id, err) < 0)
		return -1;
	dir = xasprintf("%s/%s", root, id);
	c->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dirfd < 0) {
		int e = errno;

		if (e == ENOENT)
			return iso_error_set_status(err, 1, 0, "container %s does not exist", id);
		return iso_error_set(err, e, "open %s", dir);
	}
	c->id = xstrdup(id);
	if (lock != 0 && flock(c->dirfd, lock) < 0) {
		iso_error_set(err, errno, "lock %s", dir);
		goto fail;
	}
	/* removed by the delete this one waited for: gone, whatever has been
	 * made at that path since */
	if (fstat(c->dirfd, &st) < 0 || st.st_nlink == 0) {
		iso_error_set_status(err, 1, 0, "container %s does not exist", id);
		goto fail;
	}
	if (read_file_at(c->dirfd, "state.json", &text, NULL, err) < 0) {
		/* made by a create that has not written it yet, or was killed
		 * at once: nothing to report but that it is being made */
		if (err->errnum != ENOENT)
			goto fail;
		iso_error_clear(err);
		c->status = ISO_OCI_CREATING;
		return 0;
	}
	if (parse_state(c, text, "state.json", err) < 0)
		goto fail;
	c->status = work_out_status(c);
	return 0;
fail:
	iso_oci_unload(c);
	return -1;
}

void iso_oci_unload(struct iso_oci_container *c)
{
	free(c->id);
	free(c->bundle);
	free(c->rootfs);
	free(c->created);
	free(c->owner);
	free(c->annotations_json);
	free(c->oci_version);
	free(c->cgroup_record);
	free(c->cgroup_name);
	if (c->dirfd >= 0)
		close(c->dirfd);
	*c = (struct iso_oci_container){ .dirfd = -1 };
}

static void set_string(json_t *o, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(o, key, json_string(value));
}

int iso_oci_save(const struct iso_oci_container *c, struct iso_error *err)
{
	cleanup_json json_t *o = json_object();
	cleanup_free char *text = NULL;

	set_string(o, "ociVersion", c->oci_version);
	set_string(o, "id", c->id);
	set_string(o, "bundle", c->bundle);
	set_string(o, "rootfs", c->rootfs);
	set_string(o, "created", c->created);
	set_string(o, "owner", c->owner);
	set_string(o, "cgroup", c->cgroup_record);
	set_string(o, "cgroupName", c->cgroup_name);
	json_object_set_new(o, "pid", json_integer(c->pid));
	json_object_set_new(o, "pidStart", json_integer((json_int_t)c->pid_start));
	json_object_set_new(o, "setupDone", json_boolean(c->setup_done));
	json_object_set_new(o, "cgroupMade", json_boolean(c->cgroup_made));
	if (c->annotations_json != NULL)
		json_object_set_new(o, "annotations", json_loads(c->annotations_json, 0, NULL));
	text = json_dumps(o, JSON_COMPACT);
	if (iso_oci_write_file(c->dirfd, "state.json", text, 0600, err) < 0)
		return iso_error_prefix(err, "container %s", c->id);
	return 0;
}

char *iso_oci_container_json(const struct iso_oci_container *c, bool runc_fields)
{
	struct iso_oci_state st = {
		.oci_version = c->oci_version ? c->oci_version : ISO_OCI_VERSION,
		.id = c->id,
		.status = iso_oci_status_name(c->status),
		.pid = c->status == ISO_OCI_STOPPED ? 0 : c->pid,
		.bundle = c->bundle,
		.annotations_json = c->annotations_json,
		.created = c->created,
		.owner = c->owner,
		.rootfs = c->rootfs,
	};

	return runc_fields ? iso_oci_state_json_runc(&st) : iso_oci_state_json(&st);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **iso_oci_list(const char *root, struct iso_error *err)
{
	char **ids = xcalloc(1, sizeof(char *));
	DIR *d = opendir(root);
	struct dirent *e;

	if (d == NULL) {
		if (errno == ENOENT)
			return ids;
		free(ids);
		iso_error_set(err, errno, "open %s", root);
		return NULL;
	}
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && e->d_type == DT_DIR)
			strv_push(&ids, e->d_name);
	closedir(d);
	qsort(ids, strv_len(ids), sizeof(char *), compare_strings);
	return ids;
}
