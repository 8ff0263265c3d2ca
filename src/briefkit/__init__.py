"""briefkit: labelled, print-ready PDF and EPUB policy briefs from Markdown sources.

The public API (``briefkit.load``, ``briefkit.render``, ``briefkit.build``,
``briefkit.compose_email``, ``briefkit.send_email`` and the types they return) is imported on
first use, so ``import briefkit`` stays cheap for the command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from briefkit.version import __version__

if TYPE_CHECKING:
    from briefkit.api import (
        build as build,
    )
    from briefkit.api import (
        check as check,
    )
    from briefkit.api import (
        compose_email as compose_email,
    )
    from briefkit.api import (
        compose_kindle_email as compose_kindle_email,
    )
    from briefkit.api import (
        import_source as import_source,
    )
    from briefkit.api import (
        load as load,
    )
    from briefkit.api import (
        load_text as load_text,
    )
    from briefkit.api import (
        open_workspace as open_workspace,
    )
    from briefkit.api import (
        preview_server as preview_server,
    )
    from briefkit.api import (
        process_bounces as process_bounces,
    )
    from briefkit.api import (
        publish as publish,
    )
    from briefkit.api import (
        read_distribution_list as read_distribution_list,
    )
    from briefkit.api import (
        render as render,
    )
    from briefkit.api import (
        send_email as send_email,
    )
    from briefkit.api import (
        send_email_to_list as send_email_to_list,
    )
    from briefkit.api import (
        smtp_server as smtp_server,
    )
    from briefkit.api import (
        suppress as suppress,
    )
    from briefkit.api import (
        unsubscribe_app as unsubscribe_app,
    )
    from briefkit.api import (
        write_email as write_email,
    )
    from briefkit.building.pipeline import (
        BriefResult as BriefResult,
    )
    from briefkit.building.pipeline import (
        BuildProgress as BuildProgress,
    )
    from briefkit.building.pipeline import (
        BuildReport as BuildReport,
    )
    from briefkit.commands.check import (
        CheckReport as CheckReport,
    )
    from briefkit.commands.importing.command import (
        ImportReport as ImportReport,
    )
    from briefkit.config import (
        Workspace as Workspace,
    )
    from briefkit.delivery.catalogue.publish import (
        PublishReport as PublishReport,
    )
    from briefkit.delivery.mail.lists.bounces import (
        BounceReport as BounceReport,
    )
    from briefkit.delivery.mail.lists.readers import (
        DistributionList as DistributionList,
    )
    from briefkit.delivery.mail.lists.readers import (
        Recipient as Recipient,
    )
    from briefkit.delivery.mail.lists.send import (
        ListProgress as ListProgress,
    )
    from briefkit.delivery.mail.lists.send import (
        ListReport as ListReport,
    )
    from briefkit.delivery.mail.lists.send import (
        ListSendError as ListSendError,
    )
    from briefkit.delivery.mail.lists.suppression import (
        Suppressed as Suppressed,
    )
    from briefkit.delivery.mail.smtp import (
        SendError as SendError,
    )
    from briefkit.delivery.mail.smtp import (
        SendReport as SendReport,
    )
    from briefkit.delivery.mail.smtp import (
        SmtpServer as SmtpServer,
    )
    from briefkit.errors import (
        BriefkitError as BriefkitError,
    )
    from briefkit.errors import (
        Finding as Finding,
    )
    from briefkit.errors import (
        ParameterError as ParameterError,
    )
    from briefkit.errors import (
        Severity as Severity,
    )
    from briefkit.errors import (
        SourceError as SourceError,
    )
    from briefkit.errors import (
        UsageError as UsageError,
    )
    from briefkit.model.brief import (
        Brief as Brief,
    )
    from briefkit.model.choices import (
        EmailBody as EmailBody,
    )
    from briefkit.model.choices import (
        Format as Format,
    )
    from briefkit.model.choices import (
        Paper as Paper,
    )
    from briefkit.model.choices import (
        PdfVariant as PdfVariant,
    )
    from briefkit.model.choices import (
        SmtpSecurity as SmtpSecurity,
    )
    from briefkit.sources.loader import (
        LoadedBrief as LoadedBrief,
    )
    from briefkit.system.deadline import (
        TimeLimitExceeded as TimeLimitExceeded,
    )

_EXPORTS = {
    "build": "briefkit.api",
    "check": "briefkit.api",
    "import_source": "briefkit.api",
    "load": "briefkit.api",
    "load_text": "briefkit.api",
    "open_workspace": "briefkit.api",
    "preview_server": "briefkit.api",
    "publish": "briefkit.api",
    "render": "briefkit.api",
    "TimeLimitExceeded": "briefkit.system.deadline",
    "BriefResult": "briefkit.building.pipeline",
    "BuildProgress": "briefkit.building.pipeline",
    "BuildReport": "briefkit.building.pipeline",
    "CheckReport": "briefkit.commands.check",
    "ImportReport": "briefkit.commands.importing.command",
    "Workspace": "briefkit.config",
    "PublishReport": "briefkit.delivery.catalogue.publish",
    "BriefkitError": "briefkit.errors",
    "Finding": "briefkit.errors",
    "ParameterError": "briefkit.errors",
    "Severity": "briefkit.errors",
    "SourceError": "briefkit.errors",
    "UsageError": "briefkit.errors",
    "Brief": "briefkit.model.brief",
    "Format": "briefkit.model.choices",
    "Paper": "briefkit.model.choices",
    "PdfVariant": "briefkit.model.choices",
    "compose_email": "briefkit.api",
    "compose_kindle_email": "briefkit.api",
    "read_distribution_list": "briefkit.api",
    "send_email": "briefkit.api",
    "send_email_to_list": "briefkit.api",
    "smtp_server": "briefkit.api",
    "write_email": "briefkit.api",
    "suppress": "briefkit.api",
    "process_bounces": "briefkit.api",
    "unsubscribe_app": "briefkit.api",
    "BounceReport": "briefkit.delivery.mail.lists.bounces",
    "Suppressed": "briefkit.delivery.mail.lists.suppression",
    "ListProgress": "briefkit.delivery.mail.lists.send",
    "ListReport": "briefkit.delivery.mail.lists.send",
    "ListSendError": "briefkit.delivery.mail.lists.send",
    "DistributionList": "briefkit.delivery.mail.lists.readers",
    "Recipient": "briefkit.delivery.mail.lists.readers",
    "SendError": "briefkit.delivery.mail.smtp",
    "SendReport": "briefkit.delivery.mail.smtp",
    "SmtpServer": "briefkit.delivery.mail.smtp",
    "EmailBody": "briefkit.model.choices",
    "SmtpSecurity": "briefkit.model.choices",
    "LoadedBrief": "briefkit.sources.loader",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Import a public name from the module that defines it, on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'briefkit' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """List the public names."""
    return sorted(__all__)
