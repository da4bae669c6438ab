// Job rows: state, progress, time and actions of each job.
#include "job-list.hpp"

#include "core/job/job-machine.hpp"
#include "core/text.hpp"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHBoxLayout>
#include <QImage>
#include <QImageReader>
#include <QLabel>
#include <QMenu>
#include <QPixmap>
#include <QProgressBar>
#include <QPushButton>
#include <QResizeEvent>
#include <QStyle>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QVariant>

#include <algorithm>

namespace seedance::ui {

QString qtext(const char *key)
{
	return QString::fromStdString(core::text(key));
}

QString stateText(core::JobState state)
{
	return qtext((std::string("State.") + core::jobStateName(state)).c_str());
}

namespace {

QString duration(std::int64_t seconds)
{
	if (seconds < 0)
		seconds = 0;
	return seconds >= 60 ? QString("%1:%2").arg(seconds / 60).arg(seconds % 60, 2, 10, QChar('0'))
			     : QString("%1 s").arg(seconds);
}

// OBS 29 themes style [themeID="error"], OBS 30+ the "text-danger" class: set both, hard-code no colour. A
// repolish re-runs the theme's style sheet over the label, so it happens only when the flag changes.
void markError(QLabel *label, bool error)
{
	if (label->property("themeID").toString() == (error ? "error" : ""))
		return;
	label->setProperty("themeID", error ? "error" : "");
	label->setProperty("class", error ? "text-danger" : "");
	label->style()->unpolish(label);
	label->style()->polish(label);
}

bool active(core::JobState s)
{
	return !core::isTerminal(s);
}

int downloadPercent(const core::Job &job)
{
	if (job.downloadTotalBytes == 0)
		return 0;
	return static_cast<int>(std::min<std::uint64_t>(100, job.downloadedBytes * 100 / job.downloadTotalBytes));
}

} // namespace

JobRow::JobRow(QWidget *parent) : QWidget(parent)
{
	setObjectName("SeedanceJobRow");
	auto *outer = new QHBoxLayout(this);
	outer->setContentsMargins(0, 4, 0, 4);
	thumb_ = new QLabel(this);
	thumb_->setFixedSize(64, 36);
	thumb_->setScaledContents(false);
	thumb_->setAlignment(Qt::AlignCenter);
	outer->addWidget(thumb_, 0, Qt::AlignTop);

	auto *text = new QVBoxLayout();
	text->setSpacing(2);
	prompt_ = new QLabel(this);
	prompt_->setTextFormat(Qt::PlainText);
	prompt_->setMinimumWidth(40);
	// Ignored: the elided text must never widen the row past the dock (250 px docks stay usable).
	prompt_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
	state_ = new QLabel(this);
	state_->setTextFormat(Qt::PlainText);
	state_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
	progress_ = new QProgressBar(this);
	progress_->setMaximumHeight(8);
	progress_->setTextVisible(false);
	detail_ = new QLabel(this);
	detail_->setTextFormat(Qt::PlainText);
	detail_->setWordWrap(true);
	detail_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
	text->addWidget(prompt_);
	text->addWidget(state_);
	text->addWidget(progress_);
	text->addWidget(detail_);
	outer->addLayout(text, 1);

	auto *buttons = new QVBoxLayout();
	primary_ = new QPushButton(this);
	more_ = new QToolButton(this);
	more_->setText(QStringLiteral("⋯"));
	more_->setPopupMode(QToolButton::InstantPopup);
	more_->setAccessibleName(qtext("Job.More"));
	buttons->addWidget(primary_);
	buttons->addWidget(more_, 0, Qt::AlignRight);

	// One menu for the row's life: only which actions are enabled follows the job. Rebuilding it on every update
	// cost a style-sheet polish per menu and action.
	auto *menu = new QMenu(more_);
	for (int i = 0; i < kActionCount; ++i) {
		const auto a = static_cast<JobAction>(i);
		actions_[i] = menu->addAction(qtext(kActionLabels[i]));
		connect(actions_[i], &QAction::triggered, this,
			[this, a] { Q_EMIT actionRequested(QString::fromStdString(job_.id), a); });
	}
	more_->setMenu(menu);
	buttons->addStretch(1);
	outer->addLayout(buttons);

	connect(primary_, &QPushButton::clicked, this,
		[this] { Q_EMIT actionRequested(QString::fromStdString(job_.id), primaryAction()); });
}

JobAction JobRow::primaryAction() const
{
	if (core::JobMachine::canCancel(job_))
		return JobAction::Cancel;
	if (core::JobMachine::canRetry(job_))
		return JobAction::Retry;
	return job_.inserted ? JobAction::ShowInFolder : JobAction::AddToScene;
}

void JobRow::show(const core::Job &job)
{
	job_ = job;
	if (job.request.prompt != elidedPrompt_)
		prompt_->setToolTip(QString::fromStdString(job.request.prompt));
	elidePrompt();

	if (job.thumbnailPath != thumbPath_) {
		thumbPath_ = job.thumbnailPath;
		// Decoded straight at thumbnail size (JPEG scales while decoding): a full frame decoded on the UI
		// thread costs milliseconds per row, and QPixmap's file loader would keep it in QPixmapCache.
		QImageReader reader(QString::fromStdString(thumbPath_));
		const qreal ratio = devicePixelRatioF();
		const QSize box = QSize(64, 36) * ratio;
		const QSize full = reader.size();
		if (full.isValid())
			reader.setScaledSize(full.scaled(box, Qt::KeepAspectRatio));
		QImage image = reader.read();
		if (!image.isNull()) {
			if (image.width() > box.width() || image.height() > box.height())
				image = image.scaled(box, Qt::KeepAspectRatio, Qt::SmoothTransformation);
			QPixmap pixmap = QPixmap::fromImage(image);
			pixmap.setDevicePixelRatio(ratio); // crisp on HiDPI
			thumb_->setPixmap(pixmap);
		}
	}

	QString state = stateText(job.state);
	if (job.state == core::JobState::Generating && job.progress > 0)
		state += QString(" %1%").arg(job.progress);
	using core::JobState;
	const bool downloadKnown = job.state == JobState::Downloading && job.downloadTotalBytes > 0;
	if (downloadKnown)
		state += QString(" %1%").arg(downloadPercent(job));
	if (job.state == JobState::Completed && !job.inserted)
		state = qtext("State.Ready");
	state_->setText(state);

	switch (job.state) {
	case JobState::Generating:
		progress_->setRange(0, 100);
		progress_->setValue(job.progress);
		break;
	case JobState::Downloading:
		// A known size gets a real bar; a busy bar repaints on every animation frame for the whole download.
		progress_->setRange(0, downloadKnown ? 100 : 0);
		progress_->setValue(downloadKnown ? downloadPercent(job) : 0);
		break;
	case JobState::Completed:
		progress_->setRange(0, 100);
		progress_->setValue(100);
		break;
	case JobState::Failed:
	case JobState::Cancelled:
		progress_->setRange(0, 100);
		progress_->setValue(0);
		break;
	default:
		progress_->setRange(0, 0); // busy: no percentage to show yet
		break;
	}
	progress_->setVisible(job.state != JobState::Failed && job.state != JobState::Cancelled);

	primary_->setText(qtext(kActionLabels[static_cast<int>(primaryAction())]));

	// What the streamer may do is the job machine's answer, the same the runner and the websocket vendor use.
	const bool hasClip = core::JobMachine::canPlay(job);
	auto enable = [&](JobAction a, bool enabled) {
		actions_[static_cast<int>(a)]->setEnabled(enabled);
	};
	enable(JobAction::Cancel, core::JobMachine::canCancel(job));
	enable(JobAction::Retry, core::JobMachine::canRetry(job));
	enable(JobAction::AddToScene, hasClip);
	enable(JobAction::ShowInFolder, hasClip);
	enable(JobAction::CopyPrompt, true);
	enable(JobAction::Remove, core::JobMachine::canRemove(job));
	tick();
}

void JobRow::tick()
{
	const core::Job &job = job_;
	QString text;
	bool error = false;
	if (job.error && job.state != core::JobState::Cancelled) {
		text = QString::fromStdString(core::userMessage(job.error));
		error = true;
	} else {
		std::int64_t end = active(job.state) ? QDateTime::currentSecsSinceEpoch() : job.updatedAt;
		text = qtext("Job.Elapsed").arg(duration(end - job.createdAt));
		if (job.etaSeconds && active(job.state))
			text += "  ·  " +
				qtext("Job.Eta").arg(duration(static_cast<std::int64_t>(*job.etaSeconds + 0.5)));
		if (job.state == core::JobState::Downloading && job.downloadedBytes)
			text += QString("  ·  %1 MB").arg(job.downloadedBytes / 1048576.0, 0, 'f', 1);
	}
	if (!job.notice.empty())
		text += (text.isEmpty() ? "" : "\n") + QString::fromStdString(job.notice.text());
	detail_->setText(text);
	markError(detail_, error);
}

void JobRow::elidePrompt()
{
	// Shaping the text is most of what an update costs, and a download updates its row four times a second:
	// elide again only when the prompt or the width changed.
	const int width = std::max(40, prompt_->width());
	if (job_.request.prompt == elidedPrompt_ && width == elidedWidth_)
		return;
	elidedPrompt_ = job_.request.prompt;
	elidedWidth_ = width;
	QString full = QString::fromStdString(elidedPrompt_).simplified();
	prompt_->setText(prompt_->fontMetrics().elidedText(full, Qt::ElideRight, width));
}

void JobRow::resizeEvent(QResizeEvent *event)
{
	QWidget::resizeEvent(event);
	elidePrompt();
}

void JobRow::changeEvent(QEvent *event)
{
	QWidget::changeEvent(event);
	if (event->type() == QEvent::FontChange || event->type() == QEvent::StyleChange) {
		elidedWidth_ = -1; // a theme change: the same prompt may need a different cut
		elidePrompt();
	}
}

JobList::JobList(QWidget *parent) : QWidget(parent)
{
	qRegisterMetaType<JobAction>("seedance::ui::JobAction");
	layout_ = new QVBoxLayout(this);
	layout_->setContentsMargins(0, 0, 0, 0);
	empty_ = new QLabel(qtext("Dock.NoJobs"), this);
	empty_->setWordWrap(true);
	layout_->addWidget(empty_);
	layout_->addStretch(1);
	flushTimer_ = new QTimer(this);
	flushTimer_->setSingleShot(true);
	flushTimer_->setInterval(kFlushIntervalMs);
	connect(flushTimer_, &QTimer::timeout, this, [this] { applyPending(kFlushBudgetMs); });
	tickTimer_ = new QTimer(this);
	tickTimer_->setInterval(1000);
	connect(tickTimer_, &QTimer::timeout, this, [this] {
		for (auto &[id, row] : rows_)
			if (row && active(row->job().state))
				row->tick();
	});
	tickTimer_->start();
}

void JobList::upsert(const core::Job &job)
{
	pending_[job.id] = job;
	if (!flushTimer_->isActive())
		flushTimer_->start(kFlushIntervalMs);
}

void JobList::flush()
{
	applyPending(-1);
}

void JobList::applyPending(int budgetMs)
{
	// A burst of new jobs (a Stream Deck macro, 20 websocket requests) would build every row in one event; with a
	// budget the rest waits for the next turn of the event loop, so input and painting go on in between.
	QElapsedTimer clock;
	clock.start();
	while (!pending_.empty()) {
		if (budgetMs >= 0 && clock.elapsed() >= budgetMs) {
			flushTimer_->start(0);
			break;
		}
		auto node = pending_.extract(pending_.begin());
		const std::string &id = node.key();
		const core::Job &job = node.mapped();
		auto it = rows_.find(id);
		JobRow *row = it != rows_.end() ? it->second.data() : nullptr;
		if (!row) {
			row = new JobRow(this);
			connect(row, &JobRow::actionRequested, this, &JobList::actionRequested);
			// Newest first: a new job goes on top (after the "no jobs" label).
			int index = 1;
			for (auto &[otherId, other] : rows_)
				if (other && other->job().createdAt > job.createdAt)
					++index;
			layout_->insertWidget(index, row);
			rows_[id] = row;
		}
		row->show(job);
	}
	empty_->setVisible(rows_.empty());
}

void JobList::removeJob(const std::string &id)
{
	pending_.erase(id);
	auto it = rows_.find(id);
	if (it == rows_.end())
		return;
	delete it->second.data();
	rows_.erase(it);
	empty_->setVisible(rows_.empty());
}

JobRow *JobList::row(const std::string &id) const
{
	auto it = rows_.find(id);
	return it == rows_.end() ? nullptr : it->second.data();
}

} // namespace seedance::ui
