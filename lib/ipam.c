// SPDX-License-Identifier: GPL-2.0-or-later
/* ipam.c - not written yet. */
#include "internal.h"
