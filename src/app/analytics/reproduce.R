# StemTrack export: recompute the report's headline figures from this folder's CSVs alone,
# with R's own implementations, and print each beside the figure StemTrack exported
# (figures.csv). Run it in the export folder:  Rscript reproduce.R
# Needs R with the recommended packages survival and nlme. Exits 1 if any figure differs by
# more than 1e-6 (absolute, or relative for values above 1).
suppressPackageStartupMessages({
  library(survival)
  library(nlme)
})

args <- commandArgs(trailingOnly = TRUE)
folder <- if (length(args) > 0) args[1] else "."
read <- function(name) {
  read.csv(file.path(folder, name), stringsAsFactors = FALSE, na.strings = "",
           colClasses = "character")
}
scores <- read("scores.csv")
joints <- read("joints.csv")
treatments <- read("treatments.csv")
events <- read("later-events.csv")
adverse <- read("adverse-events.csv")
exported <- read("figures.csv")
exported$value <- as.numeric(exported$value)

# Time points in schedule order; months are 365.25 / 12 days, as StemTrack counts them.
timepoints <- c("baseline", "w6", "m3", "m6", "m12", "m24", "m36", "m48", "m60")
days_per_month <- 365.25 / 12

mine <- data.frame(section = character(), subject = character(), statistic = character(),
                   value = numeric(), stringsAsFactors = FALSE)
add <- function(section, subject, statistic, value) {
  if (length(value) == 1 && is.finite(value))
    mine[nrow(mine) + 1, ] <<- list(section, subject, statistic, as.numeric(value))
}

# The 95% t-interval of a mean, as t.test gives it; the mean itself when the values are equal.
t_interval <- function(x) if (sd(x) > 0) t.test(x)$conf.int else c(mean(x), mean(x))

# Outcomes: a joint's earliest answer at each time point counts (its score may be empty).
scores$score <- as.numeric(scores$score)
scores <- scores[order(scores$submitted_at), ]
scores$key <- paste(scores$joint_id, scores$instrument, scores$scale, scores$timepoint, sep = "|")
first <- scores[!duplicated(scores$key), ]
first <- first[!is.na(first$score) & first$timepoint %in% timepoints, ]
for (scale_key in unique(paste(first$instrument, first$scale, sep = "|"))) {
  on_scale <- first[paste(first$instrument, first$scale, sep = "|") == scale_key, ]
  base <- on_scale[on_scale$timepoint == "baseline", ]
  for (tp in timepoints) {
    at <- on_scale[on_scale$timepoint == tp, ]
    if (nrow(at) == 0) next
    subject <- paste(scale_key, tp, sep = "|")
    add("outcome-level", subject, "n", nrow(at))
    add("outcome-level", subject, "mean", mean(at$score))
    if (nrow(at) >= 2) {
      ci <- t_interval(at$score)
      add("outcome-level", subject, "ci_lower", ci[1])
      add("outcome-level", subject, "ci_upper", ci[2])
    }
    if (tp == "baseline") next
    paired <- merge(at, base, by = "joint_id", suffixes = c("", ".base"))
    if (nrow(paired) == 0) next
    change <- paired$score - paired$score.base
    add("outcome-change", subject, "n", length(change))
    add("outcome-change", subject, "mean", mean(change))
    if (length(change) >= 2) {
      ci <- t_interval(change)
      add("outcome-change", subject, "ci_lower", ci[1])
      add("outcome-change", subject, "ci_upper", ci[2])
    }
  }
  # Trajectory: score ~ time point (first level observed as reference) with a random
  # intercept per joint, by REML, tolerances tightened to reach the optimum StemTrack solves for.
  levels_seen <- timepoints[timepoints %in% on_scale$timepoint]
  if (length(levels_seen) >= 2 && length(unique(on_scale$joint_id)) >= 2) {
    on_scale$timepoint <- factor(on_scale$timepoint, levels = levels_seen)
    fit <- tryCatch(
      lme(score ~ timepoint, random = ~ 1 | joint_id, data = on_scale, method = "REML",
          control = lmeControl(maxIter = 500, msMaxIter = 500, tolerance = 1e-12,
                               msTol = 1e-14, niterEM = 100)),
      error = function(e) NULL)
    if (!is.null(fit)) {
      table <- summary(fit)$tTable
      for (term in rownames(table)) {
        add("trajectory", paste(scale_key, term, sep = "|"), "estimate", table[term, "Value"])
        add("trajectory", paste(scale_key, term, sep = "|"), "std_error", table[term, "Std.Error"])
      }
      add("trajectory", paste0(scale_key, "|"), "sigma", fit$sigma)
      add("trajectory", paste0(scale_key, "|"), "tau", sqrt(as.numeric(getVarCov(fit))))
    }
  }
}

# Survival: months from the first treatment to the first event of a kind on or after it, or
# censored at the joint's last contact; joints never heard from after treatment add no time.
for (kind in unique(c("arthroplasty", "reinjection", "returned-to-activities",
                      "returned-to-work"))) {
  of_kind <- events[events$kind == kind & as.numeric(events$days_since_treatment) >= 0, ]
  first_event <- tapply(as.numeric(of_kind$days_since_treatment), of_kind$joint_id, min)
  days <- ifelse(joints$joint_id %in% names(first_event),
                 first_event[joints$joint_id], as.numeric(joints$days_to_last_contact))
  status <- as.integer(joints$joint_id %in% names(first_event))
  keep <- !is.na(days) & (status == 1 | days > 0)
  if (!any(keep)) next
  fit <- survfit(Surv(days[keep] / days_per_month, status[keep]) ~ 1)
  for (month in c(6, 12, 24, 36, 48, 60)) {
    if (month > max(fit$time)) next
    at <- summary(fit, times = month)
    subject <- paste(kind, month, sep = "|")
    add("survival", subject, "surv", at$surv)
    add("survival", subject, "lower", at$lower)
    add("survival", subject, "upper", at$upper)
  }
}

# Safety: treatments followed by any, a serious and a related event, with exact (Clopper-
# Pearson) 95% CIs from binom.test, per product.
related_grades <- c("possible", "probable", "definite")
for (product in unique(treatments$product_class)) {
  ids <- treatments$treatment_id[treatments$product_class == product]
  after <- adverse[adverse$treatment_id %in% ids, ]
  for (measure in c("any", "serious", "related")) {
    counted <- switch(measure,
      any = after,
      serious = after[after$serious == "true", ],
      related = after[after$relatedness %in% related_grades, ])
    count <- length(unique(counted$treatment_id))
    subject <- paste(product, measure, sep = "|")
    ci <- binom.test(count, length(ids))$conf.int
    add("safety", subject, "treatments", length(ids))
    add("safety", subject, "count", count)
    add("safety", subject, "lower", ci[1])
    add("safety", subject, "upper", ci[2])
  }
}

# Side by side: every figure StemTrack exported, and R's.
both <- merge(exported, mine, by = c("section", "subject", "statistic"),
              suffixes = c(".stemtrack", ".r"), all.x = TRUE)
both$difference <- abs(both$value.stemtrack - both$value.r) /
  pmax(1, abs(both$value.stemtrack))
options(width = 200)
print(both[order(both$section, both$subject, both$statistic),
           c("section", "subject", "statistic", "value.stemtrack", "value.r", "difference")],
      row.names = FALSE, digits = 10)
missing <- sum(is.na(both$value.r))
worst <- max(c(0, both$difference), na.rm = TRUE)
cat(sprintf("\nreproduced %d of %d figures; largest difference %.3g; not recomputed %d\n",
            sum(!is.na(both$value.r)), nrow(both), worst, missing))
if (worst > 1e-6 || missing > 0) quit(status = 1)
