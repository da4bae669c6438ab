// The "Seedance" dock widget.
#include "generate-dock.hpp"

#include <obs-module.h>

#include <QLabel>
#include <QVBoxLayout>

namespace seedance::ui {

GenerateDock::GenerateDock(QWidget *parent) : QWidget(parent)
{
	setObjectName("SeedanceGenerateDock");
	auto *layout = new QVBoxLayout(this);
	auto *label = new QLabel(QString::fromUtf8(obs_module_text("Dock.Placeholder")), this);
	label->setWordWrap(true);
	layout->addWidget(label);
	layout->addStretch(1);
}

} // namespace seedance::ui
