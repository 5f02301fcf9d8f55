// SPDX-License-Identifier: GPL-2.0
/*
 * An out-of-tree module, built with "make -C <kernel build> M=<this dir>",
 * that uses the inline MMU notifier API of include/linux/mmu_notifier.h the
 * way external drivers do. Loading it checks that:
 *
 * - it links: mm_has_notifiers() reads mmu_notifier_key, which must be
 *   exported to modules (modpost fails otherwise, "mmu_notifier_key
 *   undefined");
 * - the hooks work for a module's notifier: after mmu_notifier_register()
 *   on the loading process, mm_has_notifiers() is true, and vm_munmap() of
 *   a populated page calls invalidate_range_start() and _end() on it, with
 *   a range that covers the page;
 * - an interval notifier inserted by the module sees the same invalidation
 *   and its sequence moves (mmu_interval_read_begin()/_retry(), inline).
 *
 * insmod fails with -EINVAL and a message in the kernel log if any of this
 * does not hold; it fails with -ECANCELED once everything passed, so that
 * nothing stays loaded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/uaccess.h>

static unsigned long ext_addr;
static atomic_t ext_starts, ext_ends, ext_covered, ext_interval_calls;

static int ext_start(struct mmu_notifier *mn,
		     const struct mmu_notifier_range *range)
{
	atomic_inc(&ext_starts);
	if (range->start <= ext_addr && range->end >= ext_addr + PAGE_SIZE)
		atomic_inc(&ext_covered);
	return 0;
}

static void ext_end(struct mmu_notifier *mn,
		    const struct mmu_notifier_range *range)
{
	atomic_inc(&ext_ends);
}

static const struct mmu_notifier_ops ext_ops = {
	.invalidate_range_start	= ext_start,
	.invalidate_range_end	= ext_end,
};

static struct mmu_notifier ext_mn = { .ops = &ext_ops };

static bool ext_interval_invalidate(struct mmu_interval_notifier *sub,
				    const struct mmu_notifier_range *range,
				    unsigned long cur_seq)
{
	atomic_inc(&ext_interval_calls);
	mmu_interval_set_seq(sub, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops ext_interval_ops = {
	.invalidate = ext_interval_invalidate,
};

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		pr_err("check failed: %s\n", #cond);			\
		err = -EINVAL;						\
		goto out;						\
	}								\
} while (0)

#define CALL(call) do {							\
	err = (call);							\
	if (err) {							\
		pr_err("%s: %d\n", #call, err);			\
		goto out;						\
	}								\
} while (0)

static int __init ext_init(void)
{
	struct mm_struct *mm = current->mm;
	struct mmu_interval_notifier sub;
	bool interval = false, registered = false, mapped = false;
	int starts, ends;
	unsigned long seq;
	int err = 0;

	if (!mm)
		return -EINVAL;

	ext_addr = vm_mmap(NULL, 0, PAGE_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, 0);
	if (IS_ERR_VALUE(ext_addr))
		return ext_addr;
	mapped = true;
	CHECK(!put_user(1, (int __user *)ext_addr));	/* populate it */

	CALL(mmu_notifier_register(&ext_mn, mm));
	registered = true;
	CHECK(mm_has_notifiers(mm));

	CALL(mmu_interval_notifier_insert(&sub, mm, ext_addr, PAGE_SIZE,
					  &ext_interval_ops));
	interval = true;
	seq = mmu_interval_read_begin(&sub);
	CHECK(!mmu_interval_read_retry(&sub, seq));

	CALL(vm_munmap(ext_addr, PAGE_SIZE));
	mapped = false;
	CHECK(atomic_read(&ext_covered) >= 1);
	CHECK(atomic_read(&ext_interval_calls) >= 1);
	CHECK(mmu_interval_read_retry(&sub, seq));

	mmu_interval_notifier_remove(&sub);
	interval = false;
	mmu_notifier_unregister(&ext_mn, mm);
	registered = false;
	/* No callback after unregistering: every start got its end. */
	starts = atomic_read(&ext_starts);
	ends = atomic_read(&ext_ends);
	CHECK(starts >= 1 && ends == starts);

	pr_info("ok: %d starts, %d ends, %d interval invalidations\n",
		starts, ends, atomic_read(&ext_interval_calls));
	err = -ECANCELED;
out:
	if (interval)
		mmu_interval_notifier_remove(&sub);
	if (registered)
		mmu_notifier_unregister(&ext_mn, mm);
	if (mapped)
		vm_munmap(ext_addr, PAGE_SIZE);
	return err;
}

module_init(ext_init);
MODULE_DESCRIPTION("Out-of-tree user of the inline MMU notifier API");
MODULE_LICENSE("GPL");
