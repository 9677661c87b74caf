# Páginas internas de Portico, en español: lo que leen el personal y los administradores
# (expedientes y sus acciones, organizaciones, usuarios, licencias, revisiones de acceso,
# bandeja de salida, configuración y editor de plantillas, firma con el inicio de sesión de la
# empresa). Cada clave está en cada idioma. Las palabras configuradas (tipos, estados,
# acciones) se quedan tal como están configuradas.

add = Añadir
edit = Editar
yes = sí
no = no
unknown = (desconocido)
not-done = No realizado
back-to-record = Volver al expediente
day-format = %d/%m/%Y

col-name = Nombre
col-email = Correo electrónico
col-status = Estado
col-organization = Organización
col-has-user = Tiene usuario
col-change = Cambiar
col-username = Nombre de usuario
col-license = Licencia
col-managed = Gestionado automáticamente
col-sponsors = Patrocinadores
col-sponsor = Patrocinador
col-last-seen = Última actividad
col-collaborator = Colaborador
col-asked-by = Solicitado por
col-waiting-since = En espera desde
col-to = Para
col-queued = En cola
col-attempts = Intentos
col-last-error = Último error
col-review = Revisión
col-opened = Abierta
col-due = Vencimiento
col-decided = Decididos
col-without-decision = Sin decisión

status-pending = Pendiente
status-sent = Enviado
status-failed = Fallido
status-active__v = Activa
status-inactive__v = Inactiva
user-active = activo
user-inactive = inactivo
license-external = externa
license-full = completa

dashboard-to-review = { $count ->
    [one] { $count } usuario externo espera su revisión de acceso
   *[other] { $count } usuarios externos esperan su revisión de acceso
}

records-list-title = Lista de { $kind }
records-new = Nuevo expediente { $kind }
records-create = Crear expediente { $kind }
records-name = Nombre
records-supplier = Proveedor
records-collaborator = Colaborador externo
records-choose-later = (elegir más tarde)
records-collaborator-hint = Solo un contacto del proveedor elegido puede ser su colaborador.
records-access-end = El acceso termina después del (opcional)
record-people = Proveedor y colaboradores
record-waiting = En espera de una plaza externa libre
record-waiting-since = en espera desde
record-asked-by = solicitado por { $who }
record-history = Historial

actions-title = Acciones
actions-hint = Cada acción muestra lo que hará antes de que usted la confirme.
preview-hand-to = Pasar el trabajo a
preview-reason = ¿Por qué? El proveedor lo leerá en su nueva tarea.
preview-button = Vista previa
preview-what = Lo que hará
preview-confirm = Confirmar
preview-sign-confirm = Firmar y confirmar
plan-state = Estado: { $from } → { $to }
plan-users-created = { $count ->
    [one] { $count } usuario creado
   *[other] { $count } usuarios creados
}
plan-users-activated = { $count ->
    [one] { $count } usuario activado
   *[other] { $count } usuarios activados
}, { $seats ->
    [one] { $seats } plaza ocupada
   *[other] { $seats } plazas ocupadas
}
plan-users-inactivated = { $count ->
    [one] { $count } usuario desactivado
   *[other] { $count } usuarios desactivados
}, { $seats ->
    [one] { $seats } plaza liberada
   *[other] { $seats } plazas liberadas
}
plan-grants = { $count ->
    [one] { $count } acceso concedido
   *[other] { $count } accesos concedidos
}
plan-removals = { $count ->
    [one] { $count } acceso retirado
   *[other] { $count } accesos retirados
}
plan-tasks-assigned = { $count ->
    [one] { $count } tarea asignada
   *[other] { $count } tareas asignadas
}
plan-tasks-cancelled = { $count ->
    [one] { $count } tarea cancelada
   *[other] { $count } tareas canceladas
}
plan-waiting = { $count ->
    [one] { $count } colaborador esperará una plaza externa libre
   *[other] { $count } colaboradores esperarán una plaza externa libre
}: ahora no hay ninguna libre; la primera que se libere será para quien lleve más tiempo esperando, y se le avisará a usted.
plan-waits-ended = { $count ->
    [one] { $count } colaborador deja de esperar una plaza
   *[other] { $count } colaboradores dejan de esperar una plaza
}
plan-email = { $email } a { $to }

template-name = Correo «{ $kind }» ({ $kind_of_record })
template-kind-welcome = Bienvenida
template-kind-welcome_back = Bienvenida de nuevo
template-kind-goodbye = Despedida
template-kind-task = Tarea
template-kind-access_ending = Fin del acceso

orgs-add = Añadir una organización
org-contacts = Lista de contactos
org-no-contacts = Todavía no hay contactos.
org-add-contact = Añadir un contacto
person-first-name = Nombre
person-last-name = Apellidos
person-language = Idioma de los correos y las páginas
person-read-as-english = (se lee como inglés)
person-timezone = Zona horaria (p. ej., Europe/Madrid; vacío: la de la empresa)

lic-seats = { $active } de { $seats } plazas externas en uso; { $available } libres.
lic-chart-title = Plazas en uso, últimos 30 días
lic-chart-summary = Plazas en uso del { $from } al { $to }: como máximo { $most } de { $seats }
lic-chart-caption = Línea continua: el máximo de plazas en uso cada día. Discontinua: plazas del contingente.
lic-no-history = Todavía no hay historial.
lic-active-access = Accesos externos activos
lic-inactive-mark = (inactivo)
lic-re-sponsor-title = Accesos que necesitan un nuevo patrocinador
lic-re-sponsor-hint = Su patrocinador fue desactivado: un administrador asigna a cada uno otro patrocinador o pone fin al acceso.
lic-new-sponsor = Nuevo patrocinador
lic-re-sponsor = Cambiar patrocinador
lic-stale-title = Sin iniciar sesión últimamente
lic-stale-hint = Usuarios externos que llevan tiempo sin iniciar sesión; considere poner fin a su acceso.
lic-signed-in = inició sesión
lic-never-signed-in = nunca ha iniciado sesión; invitación:
lic-waiting-title = En espera de una plaza externa
lic-waiting-hint = La próxima plaza que se libere pasa de inmediato al primer colaborador de la lista; se avisa a quien la solicitó.
lic-by-org = Por organización
lic-active-users = Usuarios externos activos
lic-no-org = (sin organización)
sponsor-line = { $user } en { $record }: patrocinado por { $sponsor }
sponsor-to-re-sponsor = inactivo: necesita nuevo patrocinador

outbox-retry = Reintentar

review-title = Revisión de acceso
review-waiting-title = Pendiente de su decisión
review-none-waiting = Ningún usuario externo espera su decisión.
review-you-sponsor = Usted patrocina el acceso de estos usuarios externos. Para cada uno, mantenga o retire el acceso e indique el motivo.
review-no-org = Sin organización
review-all-orgs = Todas las organizaciones
review-org-gone = Una organización que ya no se conoce
review-decide-by = decidir antes del { $day }
review-without-decision = sin decisión: { $then }
review-default-ends = el acceso termina
review-default-stays = el acceso se mantiene
review-removed = Retirado
review-kept = Mantenido
review-access-of = Acceso de { $user }
review-keep = Mantener el acceso
review-remove = Retirar el acceso
review-reason = Motivo
review-decide-for = Decidir sobre { $user }
review-no-sponsor = nadie (decide un administrador)
review-none = Todavía no hay revisiones.
review-by = por { $who }
review-closed-mark = (cerrada)
review-decided-of = { $decided } de { $items }
review-open-title = Abrir una revisión
review-users-of = Usuarios externos de
review-days = Días hasta el vencimiento
review-default = Sin decisión para entonces
review-option-stays = El acceso se mantiene
review-option-ends = El acceso termina
review-open = Abrir la revisión
review-opened = abierta
review-due = vence el { $day }
review-decided-count = { $decided } de { $items } decididos
review-closed = cerrada
review-download = Descargar el resultado (CSV)
review-external-users = Usuarios externos
review-nobody = No hay nadie que revisar aquí.
review-sponsored-by = patrocinado por { $sponsors }
review-by-default = por la opción predeterminada de la revisión
review-not-decided = Aún sin decidir.

config-constraint = Restricción del campo Colaborador externo:
config-on-entry = Al entrar
config-moves = Transiciones
config-entry-activate = Crear y activar al colaborador externo
config-entry-inactivate = Desactivar al colaborador externo
config-templates = Plantillas:
config-changed = (modificada)
tpl-language = Idioma del texto
tpl-subject = Asunto
tpl-text = Texto
tpl-html = HTML (déjelo vacío para generarlo a partir del texto)
tpl-html-part = Parte HTML
tpl-reset = Volver al texto original

sign-provider-done = Ha vuelto a iniciar sesión con el acceso de su empresa para firmar.
sign-provider-how = Para firmar, vuelva a iniciar sesión con el acceso de su empresa.
sign-provider-go = Volver a iniciar sesión para firmar
sso-say-what = Indique qué firmar: una tarea, o un expediente y una acción.
sso-signed-again = Sesión iniciada de nuevo
sso-signed-again-text = Ha vuelto a iniciar sesión en { $provider }. Complete su firma en los próximos { $minutes } minutos.
sso-continue = Continuar para firmar
sso-not-signed = Sin firmar
sso-nothing-signed = No se firmó nada: { $why }.
sso-no-access = Sin acceso a Portico
sso-no-access-text = Ha iniciado sesión en { $provider }, pero: { $why }.
sso-back-to-sign-in = Volver al inicio de sesión
sso-title-not-completed = El inicio de sesión no se completó en el acceso de su empresa
sso-title-not-here = Este inicio de sesión no empezó aquí o tardó demasiado
sso-title-not-confirmed = No se pudo confirmar el acceso de su empresa
sso-could-not = Portico no pudo iniciar su sesión: { $why }.
sso-try-again = Intentarlo de nuevo con { $provider }
sso-unavailable = El inicio de sesión no está disponible
sso-unavailable-text = No se puede acceder a { $provider } en este momento. Inténtelo de nuevo en un momento, o inicie sesión con una contraseña si tiene una.
