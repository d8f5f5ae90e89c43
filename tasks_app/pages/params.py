"""Form fields generated from a job's declared params (types, defaults, choices)."""
import json

from django import forms
from django.utils.translation import gettext_lazy as _

PREFIX = "param__"


def _field_for(param, initial):
    common = {"required": False, "label": param.name, "help_text": param.help, "initial": initial}
    if param.type == "bool":
        return forms.BooleanField(**common)
    if param.type == "int":
        return forms.IntegerField(**common)
    if param.type == "float":
        return forms.FloatField(**common)
    if param.type == "date":
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if param.type == "list" and param.choices:
        choices = [(c, c) for c in param.choices]
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if param.type == "list":
        common["initial"] = ", ".join(map(str, initial or []))
        common["help_text"] = param.help or _("comma-separated")
        return forms.CharField(**common)
    if param.type == "dict":
        common["initial"] = json.dumps(initial or {}, ensure_ascii=False)
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if param.choices:
        blank = [] if param.required else [("", "—")]
        return forms.ChoiceField(choices=blank + [(c, c) for c in param.choices], **common)
    return forms.CharField(**common)


def param_fields(spec, values=None):
    """{field name: form field} for every declared param of ``spec``, initialised from ``values`` or defaults."""
    values = values or {}
    return {
        PREFIX + p.name: _field_for(p, values.get(p.name, p.default))
        for p in spec.params
    }


def _value_of(param, value):
    """The form's cleaned value as the job expects it; None means "not given" (the default applies)."""
    if param.type == "bool":
        return bool(value)
    if value in (None, "") or (param.type == "list" and param.choices and value == []):
        return [] if param.type == "list" and param.choices else None
    if param.type == "list":
        return [item.strip() for item in value.split(",") if item.strip()]
    if param.type == "dict":
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("not valid JSON: %(error)s"), params={"error": exc}) from None
    if param.type == "date":
        return value.isoformat()
    return value


def params_from(form, spec):
    """Collect the generated fields of ``form`` into a params dict, adding field errors for bad values."""
    params = {}
    for param in spec.params:
        name = PREFIX + param.name
        if name not in form.cleaned_data:
            continue
        try:
            value = _value_of(param, form.cleaned_data[name])
        except forms.ValidationError as exc:
            form.add_error(name, exc)
            continue
        if value is not None:
            params[param.name] = value
    return params


def attach_param_errors(form, messages):
    """Route "name: message" lines of ParamsInvalid to the generated field of that param."""
    rest = []
    for line in messages:
        name, _sep, text = line.partition(": ")
        if PREFIX + name in form.fields:
            form.add_error(PREFIX + name, text)
        else:
            rest.append(line)
    return rest


class RunParamsForm(forms.Form):
    """"Run with params": one field per declared param, initialised from the task's own params."""

    def __init__(self, *args, spec, values=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.fields.update(param_fields(spec, values))

    def params(self):
        return params_from(self, self.spec)
