/*
 * test-layout.c — the source trees keep their folders' includes pointing one way (issues
 * #16 and #19): agent/src and collector/src are laid out by the path an event or a request
 * takes, and no folder includes a file of a folder that depends on it, directly or through
 * others. core/ includes no other folder of its tree. A cycle fails with the files that
 * close it, so the message says what to move.
 *
 * An include names a header either by its path under src/ (the collector: "net/server.h")
 * or by its bare name (the agent: "spool.h", found through the include directories, so the
 * name is looked up in the tree: the including file's own folder first, as the compiler
 * does, then the one folder that holds it). Headers outside the tree (wfpw/..., system,
 * generated) are not edges.
 */
#include <stdlib.h>
#include <string.h>

#include "runner.h"
#include "wfpw/fileio.h"
#include "wfpw/mem.h"

#define MAX_FILES   600
#define MAX_FOLDERS 32

struct tree {
    char root[512];                   /* absolute path of src/ */
    size_t nfiles, nfolders;
    char path[MAX_FILES][200];        /* relative to root, '/' separated */
    int folder[MAX_FILES];            /* index into folders; -1 for files at the root */
    char folders[MAX_FOLDERS][32];
    char why[MAX_FOLDERS][MAX_FOLDERS][400]; /* first include making the edge a -> b */
};

static int folder_find(const struct tree *t, const char *name)
{
    size_t i;
    for (i = 0; i < t->nfolders; i++)
        if (strcmp(t->folders[i], name) == 0)
            return (int)i;
    return -1;
}

static int folder_index(struct tree *t, const char *name)
{
    size_t i;
    for (i = 0; i < t->nfolders; i++)
        if (strcmp(t->folders[i], name) == 0)
            return (int)i;
    if (t->nfolders == MAX_FOLDERS || strlen(name) >= sizeof(t->folders[0]))
        return -2;
    strcpy(t->folders[t->nfolders], name);
    return (int)t->nfolders++;
}

/* Every file under dir (relative path rel); a tree deeper than 6 folders fails the test.
 * Returns 0, 1 when rel is not a folder, -1 on overflow. */
static int scan(struct tree *t, const char *rel, int depth)
{
    char dir[600], **names, sub[200];
    size_t n, i;
    if ((size_t)snprintf(dir, sizeof(dir), "%s%s%s", t->root, *rel ? "/" : "", rel) >= sizeof(dir))
        return -1;
    if (wfpw_dir_list(dir, &names, &n) != 0)
        return 1;   /* not a folder */
    for (i = 0; i < n; i++) {
        if ((size_t)snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", names[i]) >= sizeof(sub)) {
            wfpw_free(names);
            return -1;
        }
        {
            int rc = depth < 6 ? scan(t, sub, depth + 1) : -1;
            if (rc < 0) {
                wfpw_free(names);
                return -1;
            }
            if (rc == 0)
                continue;
        }
        if (!strstr(names[i], ".c") && !strstr(names[i], ".h"))
            continue;
        if (t->nfiles == MAX_FILES) {
            wfpw_free(names);
            return -1;
        }
        snprintf(t->path[t->nfiles], sizeof(t->path[0]), "%s", sub);
        if (strchr(sub, '/')) {
            char top[32];
            snprintf(top, sizeof(top), "%.*s", (int)(strchr(sub, '/') - sub), sub);
            t->folder[t->nfiles] = folder_index(t, top);
            if (t->folder[t->nfiles] < -1) {
                wfpw_free(names);
                return -1;
            }
        } else {
            t->folder[t->nfiles] = -1;
        }
        t->nfiles++;
    }
    wfpw_free(names);
    return 0;
}

static const char *base_of(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The file an include names, or -1 when it is not in the tree. *ambiguous when a bare name
 * is in two folders and none is the includer's own. */
static int resolve(const struct tree *t, size_t from, const char *inc, int *ambiguous)
{
    char dir[200], want[400];
    const char *slash = strrchr(t->path[from], '/');
    size_t i;
    int found = -1;
    *ambiguous = 0;
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - t->path[from]) : 0, t->path[from]);
    /* the includer's folder, then the path under src/ */
    snprintf(want, sizeof(want), "%s%s%s", dir, *dir ? "/" : "", inc);
    for (i = 0; i < t->nfiles; i++)
        if (strcmp(t->path[i], want) == 0)
            return (int)i;
    for (i = 0; i < t->nfiles; i++)
        if (strcmp(t->path[i], inc) == 0)
            return (int)i;
    if (strchr(inc, '/'))
        return -1;
    /* a bare name found through the include directories; "x.h" may be generated from "x.h.in" */
    for (i = 0; i < t->nfiles; i++) {
        const char *b = base_of(t->path[i]);
        size_t bl = strlen(b), il = strlen(inc);
        if (strcmp(b, inc) == 0 || (bl == il + 3 && strncmp(b, inc, il) == 0 && strcmp(b + il, ".in") == 0)) {
            if (found >= 0 && t->folder[found] != t->folder[i])
                *ambiguous = 1;
            found = (int)i;
        }
    }
    return found;
}

/* Depth-first search for a cycle through the folder graph; prints it. */
static int find_cycle(const struct tree *t, int a, int *state, int *stack, int depth)
{
    size_t b;
    state[a] = 1;
    stack[depth] = a;
    for (b = 0; b < t->nfolders; b++) {
        if (!t->why[a][b][0])
            continue;
        if (state[b] == 1) {
            int i;
            fprintf(stderr, "include cycle under %s:\n", t->root);
            for (i = 0; i <= depth && stack[i] != (int)b; i++)
                ;
            for (; i <= depth; i++)
                fprintf(stderr, "  %s -> %s: %s\n", t->folders[stack[i]],
                        t->folders[i < depth ? stack[i + 1] : (int)b],
                        t->why[stack[i]][i < depth ? stack[i + 1] : (int)b]);
            return 1;
        }
        if (state[b] == 0 && find_cycle(t, (int)b, state, stack, depth + 1))
            return 1;
    }
    state[a] = 2;
    return 0;
}

static int check_tree(const char *rel_root, const char *const *folders, size_t nfolders)
{
    static struct tree t;
    int state[MAX_FOLDERS] = {0}, stack[MAX_FOLDERS + 1];
    size_t i, edges = 0;
    int bad = 0, core;
    memset(&t, 0, sizeof(t));
    snprintf(t.root, sizeof(t.root), "%s", wfpw_test_source(rel_root));
    ASSERT_EQ(scan(&t, "", 0), 0);
    /* the data path's folders must all be there: a renamed folder is a docs change too */
    for (i = 0; i < nfolders; i++) {
        if (folder_find(&t, folders[i]) < 0)
            fprintf(stderr, "%s: no folder %s/\n", rel_root, folders[i]);
        ASSERT(folder_find(&t, folders[i]) >= 0);
    }
    for (i = 0; i < t.nfiles; i++) {
        char full[800], *text, *p;
        size_t len;
        snprintf(full, sizeof(full), "%s/%s", t.root, t.path[i]);
        ASSERT((text = wfpw_test_read(full, &len)) != NULL);
        for (p = text; (p = strstr(p, "#include \"")) != NULL; p++) {
            char inc[160];
            const char *q = p + 10, *e = strchr(q, '"');
            int to, amb;
            if (e == NULL || (size_t)(e - q) >= sizeof(inc))
                continue;
            snprintf(inc, sizeof(inc), "%.*s", (int)(e - q), q);
            to = resolve(&t, i, inc, &amb);
            if (amb) {
                fprintf(stderr, "%s/%s: \"%s\" names headers in two folders\n", rel_root, t.path[i], inc);
                bad = 1;
            }
            if (to < 0 || t.folder[to] < 0 || t.folder[i] < 0 || t.folder[to] == t.folder[i])
                continue;
            if (!t.why[t.folder[i]][t.folder[to]][0]) {
                snprintf(t.why[t.folder[i]][t.folder[to]], sizeof(t.why[0][0]), "%s includes \"%s\"", t.path[i], inc);
                edges++;
            }
        }
        wfpw_free(text);
    }
    ASSERT(!bad);
    ASSERT(edges > 0);
    if (getenv("WFPW_LAYOUT_PRINT"))   /* the graph docs/architecture.md draws */
        for (i = 0; i < t.nfolders; i++) {
            size_t b;
            fprintf(stderr, "%s/%s ->", rel_root, t.folders[i]);
            for (b = 0; b < t.nfolders; b++)
                if (t.why[i][b][0])
                    fprintf(stderr, " %s", t.folders[b]);
            fprintf(stderr, "\n");
        }   /* the scan saw the includes at all */
    for (i = 0; i < t.nfolders; i++)
        if (state[i] == 0)
            ASSERT(!find_cycle(&t, (int)i, state, stack, 0));
    /* core/ is what every other folder may share: it leans on none of them */
    core = folder_find(&t, "core");
    ASSERT(core >= 0);
    for (i = 0; i < t.nfolders; i++) {
        if (t.why[core][i][0])
            fprintf(stderr, "%s: core/ depends on %s/: %s\n", rel_root, t.folders[i], t.why[core][i]);
        ASSERT(!t.why[core][i][0]);
    }
    return 0;
}

TEST_IMPL(sync_layout_one_way)
{
    static const char *const agent[] = {"core", "sources", "config", "pipeline", "spool", "ship", "service",
                                        "detect", "surface", "wfp", "evtxml"};
    static const char *const collector[] = {"core", "net", "api", "store", "alert", "pki", "cli"};
    ASSERT_EQ(check_tree("agent/src", agent, sizeof(agent) / sizeof(agent[0])), 0);
    ASSERT_EQ(check_tree("collector/src", collector, sizeof(collector) / sizeof(collector[0])), 0);
    return 0;
}
