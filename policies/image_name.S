/*
 * The image's policy name (IMAGE_POLICY_NAME, a quoted string from the
 * build), which the kernel looks up with image_policy().  Built once per
 * image, beside the application's blob; not a policy itself.
 */
	.section .rodata.image_policy_name, "a"
	.globl image_policy_name
	.type image_policy_name, @object
image_policy_name:
	.asciz IMAGE_POLICY_NAME
	.size image_policy_name, . - image_policy_name
